# SPDX-License-Identifier: MIT
# Runs hcsctl --man and hcsctl --completion bash into the files named by MAN and COMPLETION.
#   cmake -DPROGRAM=hcsctl -DMAN=file -DCOMPLETION=file -P gen_texts.cmake
execute_process(COMMAND ${PROGRAM} --man OUTPUT_FILE ${MAN} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "hcsctl --man failed: ${_rc}")
endif()
execute_process(COMMAND ${PROGRAM} --completion bash OUTPUT_FILE ${COMPLETION} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "hcsctl --completion bash failed: ${_rc}")
endif()
