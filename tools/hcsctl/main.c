/* SPDX-License-Identifier: MIT */
/* main.c - hcsctl's entry point; the program is hcsctl_main (hcsctl.c), which the argv
 * fuzz test also runs. */
#include "hcsctl.h"

int main(int argc, char **argv)
{
    return hcsctl_main(argc, argv);
}
