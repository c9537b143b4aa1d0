/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct dmabuf_cmsg and struct dmabuf_token from <linux/uio.h> (our
 * kernel's uAPI headers), for code that handles them directly. That header
 * also defines a struct iovec that clashes with the C library's: include it
 * with its iovec renamed, so the order of includes does not matter.
 */
#ifndef DMABUF_PP_UIO_DEVMEM_H
#define DMABUF_PP_UIO_DEVMEM_H

#include <sys/uio.h>

#define iovec linux_uio_iovec
#include <linux/uio.h>
#undef iovec

#endif
