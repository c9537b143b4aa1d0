/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-bufs from a dma-heap (/dev/dma_heap/NAME), the exporter whose pages
 * an importer never sees: the "system" heap allocates them itself.
 */
#ifndef DMABUF_PP_DMA_HEAP_H
#define DMABUF_PP_DMA_HEAP_H

#include <stddef.h>

/* Allocate a @size-byte dma-buf from heap @name; the fd or -errno. */
int dma_heap_alloc(const char *name, size_t size);

#endif
