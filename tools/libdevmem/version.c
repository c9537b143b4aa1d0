// SPDX-License-Identifier: GPL-2.0-only
/* The library's version, for programs that check it at run time. */
#include "devmem.h"

const char *devmem_version(void)
{
	return DEVMEM_VERSION_STRING;
}
