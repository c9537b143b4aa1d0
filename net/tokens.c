// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tokens: the buffers a devmem TCP socket handed to user space with
 * SCM_DEVMEM_DMABUF and that user space has not given back with
 * SO_DEVMEM_DONTNEED. Each token holds one page_pool reference to its
 * buffer.
 *
 * A socket keeps them in a table of slots of its own (patch 0010 puts it
 * where upstream has the sk_user_frags xarray); a token is a slot index.
 * A slot holds one of:
 *
 *   a netmem_ref   odd (net_iov references have bit 0 set): a live token
 *   0              reserved: the token is being written into a cmsg
 *   (next << 2)|2  free, and the index of the next free slot (0: none)
 *
 * The free slots form a LIFO list through the table itself, so issuing a
 * token and taking one back are both O(1), with no tree to walk. Slot 0 is
 * never used: token 0 is invalid, as upstream's are numbered from 1.
 *
 * The slots live in chunks of one page, found through a directory. The
 * table grows a chunk at a time and a chunk never moves, so growing never
 * copies slots; the directory (8 bytes per 512 slots) is copied outside the
 * lock, which is safe because only the one grower ever writes it.
 *
 * recvmsg() issues tokens with the socket locked, and is the only one to
 * grow the table; SO_DEVMEM_DONTNEED runs without the socket lock, in
 * parallel with recvmsg() on another thread. The table's spinlock covers
 * the slots, the free list, the counts and the switch to a longer
 * directory. It is taken with bottom halves off: the socket's destructor,
 * which empties the table, runs from softirq when a closed socket's last
 * timer fires. No hold of it does more than a bounded amount of work.
 *
 * A socket holds at most @limit tokens: one per 64 bytes of the largest
 * binding it received from (DMABUF_PP_TOKEN_BYTES). A token is one frag of
 * one cmsg, and the NIC packs segments into its buffers, so a binding's
 * tokens are bounded by its bytes over the smallest frag, not by its
 * buffers: 64 bytes leaves room for all but senders of tiny segments (or
 * readers of tiny reads), and still bounds the table of a socket that never
 * gives tokens back (8 bytes a token: an eighth of the binding's size at
 * most). Upstream's sk_user_frags xarray has no limit but its 2^31 ids.
 */

#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <linux/spinlock.h>
#include <net/dmabuf_pp.h>
#include <net/netmem.h>
#include <net/sock.h>
#include <uapi/linux/uio.h>

#include "provider.h"

/* One chunk is one page of slots. */
#define CHUNK_SHIFT		(PAGE_SHIFT - ilog2(sizeof(unsigned long)))
#define CHUNK_SLOTS		BIT(CHUNK_SHIFT)
#define CHUNK_MASK		(CHUNK_SLOTS - 1)
#define DIR_MIN			8
#define MAX_CHUNKS		(DMABUF_PP_TOKENS_MAX >> CHUNK_SHIFT)

#define SLOT_RESERVED		0UL
#define SLOT_FREE		2UL

/* Requests up to this many entries are copied to the stack */
#define DMABUF_PP_DONTNEED_ONSTACK	16

/* Buffers are given back (put) in batches, outside the table's lock. */
#define PUT_BATCH		16
/* Slots one hold of the lock looks at when everything is given back */
#define SCAN_STEP		256

struct dmabuf_pp_tokens {
	spinlock_t lock;	/* slots, @top, @free, @live, @limit, @chunk */
	u32 top;		/* slots [1, top) have been issued at least once */
	u32 free;		/* first free slot, 0 for none */
	u32 live;		/* tokens user space holds */
	u32 limit;		/* most tokens it may hold; 0: not known yet */
	u32 nr_chunks;		/* chunks in @chunk; written by the grower */
	u32 dir_size;		/* entries @chunk has room for; grower only */
	unsigned long **chunk;	/* the directory */
};

/* --- the table ------------------------------------------------------------ */

static unsigned long *slot(struct dmabuf_pp_tokens *t, u32 s)
{
	return &t->chunk[s >> CHUNK_SHIFT][s & CHUNK_MASK];
}

static bool slot_is_token(unsigned long v)
{
	return v & 1;
}

static void slot_free(struct dmabuf_pp_tokens *t, u32 s)
{
	*slot(t, s) = ((unsigned long)t->free << 2) | SLOT_FREE;
	t->free = s;
}

/* A live token is given back: its slot is freed, its buffer returned. */
static netmem_ref slot_take(struct dmabuf_pp_tokens *t, u32 s)
{
	netmem_ref netmem = (__force netmem_ref)*slot(t, s);

	slot_free(t, s);
	t->live--;
	return netmem;
}

struct dmabuf_pp_tokens *dmabuf_pp_tokens_alloc(void)
{
	struct dmabuf_pp_tokens *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);

	if (t) {
		spin_lock_init(&t->lock);
		t->top = 1;
	}
	return t;
}

/* Every token must have been returned (dmabuf_pp_tokens_return_all()). */
void dmabuf_pp_tokens_free(struct dmabuf_pp_tokens *t)
{
	u32 i;

	WARN_ON_ONCE(t->live);
	for (i = 0; i < t->nr_chunks; i++)
		free_page((unsigned long)t->chunk[i]);
	kvfree(t->chunk);
	kfree(t);
}

/**
 * dmabuf_pp_tokens_raise_limit() - a socket received from a binding this large
 * @t: the table
 * @limit: tokens the binding allows (dmabuf_pp_binding::token_limit)
 *
 * The socket's limit is that of the largest binding it received from.
 */
void dmabuf_pp_tokens_raise_limit(struct dmabuf_pp_tokens *t, u32 limit)
{
	if (limit > READ_ONCE(t->limit)) {
		spin_lock_bh(&t->lock);
		t->limit = max(t->limit, limit);
		spin_unlock_bh(&t->lock);
	}
}

/*
 * One more chunk; only the one caller that reserves ever grows the table.
 * Everything is allocated and copied before the lock is taken: the lock is
 * held to publish, which is O(1).
 */
static int table_grow(struct dmabuf_pp_tokens *t)
{
	unsigned long **dir = t->chunk, **old = NULL;
	u32 dir_size = t->dir_size;
	unsigned long *chunk;

	if (t->nr_chunks >= MAX_CHUNKS)
		return -EBUSY;	/* what a full xarray answers upstream */
	chunk = (unsigned long *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!chunk)
		return -ENOMEM;
	if (t->nr_chunks == dir_size) {
		dir_size = max_t(u32, dir_size * 2, DIR_MIN);
		dir = kvmalloc_array(dir_size, sizeof(*dir), GFP_KERNEL_ACCOUNT);
		if (!dir) {
			free_page((unsigned long)chunk);
			return -ENOMEM;
		}
		/* Only we write directory entries, and never change one. */
		if (t->nr_chunks)
			memcpy(dir, t->chunk, t->nr_chunks * sizeof(*dir));
		old = t->chunk;
	}
	/* Past nr_chunks: nobody looks at this entry before it is published */
	dir[t->nr_chunks] = chunk;

	spin_lock_bh(&t->lock);
	t->chunk = dir;
	t->nr_chunks++;
	spin_unlock_bh(&t->lock);

	t->dir_size = dir_size;
	kvfree(old);	/* NULL unless the directory moved */
	return 0;
}

/**
 * dmabuf_pp_tokens_reserve() - reserve tokens; freed slots are used first
 * @t: the table; callers are serialised (the socket lock), and commit what
 *	they reserved before they reserve again
 * @tokens: where to put them
 * @n: how many are wanted
 *
 * May sleep, to grow the table.
 *
 * Return: how many were reserved (1 to @n), -ENOBUFS when the socket holds
 * as many tokens as it may, or another negative errno.
 */
int dmabuf_pp_tokens_reserve(struct dmabuf_pp_tokens *t, u32 *tokens,
			     unsigned int n)
{
	unsigned int got = 0;
	int err;

	for (;;) {
		spin_lock_bh(&t->lock);
		if (t->limit)
			n = min(n, t->limit - min(t->live, t->limit));
		if (!n) {
			spin_unlock_bh(&t->lock);
			return -ENOBUFS;
		}
		for (; got < n && t->free; got++) {
			tokens[got] = t->free;
			t->free = *slot(t, t->free) >> 2;
			*slot(t, tokens[got]) = SLOT_RESERVED;
		}
		for (; got < n && t->top < t->nr_chunks << CHUNK_SHIFT; got++) {
			tokens[got] = t->top++;
			*slot(t, tokens[got]) = SLOT_RESERVED;
		}
		spin_unlock_bh(&t->lock);
		if (got)
			return got;

		err = table_grow(t);
		if (err)
			return err;
	}
}

/**
 * dmabuf_pp_tokens_commit() - reserved tokens become live, or are freed
 * @t: the table
 * @tokens: tokens dmabuf_pp_tokens_reserve() gave
 * @netmems: the buffers the first @used of them stand for
 * @used: how many become live
 * @reserved: how many @tokens there are; those past @used are freed
 */
void dmabuf_pp_tokens_commit(struct dmabuf_pp_tokens *t, const u32 *tokens,
			     const netmem_ref *netmems, unsigned int used,
			    unsigned int reserved)
{
	unsigned int i;

	spin_lock_bh(&t->lock);
	for (i = 0; i < used; i++)
		*slot(t, tokens[i]) = (__force unsigned long)netmems[i];
	t->live += used;
	for (; i < reserved; i++)
		slot_free(t, tokens[i]);
	spin_unlock_bh(&t->lock);
}

/**
 * dmabuf_pp_tokens_return() - user space gives tokens back
 * @t: the table; any context that may sleep, in parallel with reserve
 * @req: ranges of tokens
 * @n: how many ranges
 * @put: called with the buffers of live tokens, in batches, unlocked
 *
 * Tokens that are not live (0, never issued, reserved, already returned)
 * are skipped. At most DMABUF_PP_DONTNEED_MAX tokens are looked at,
 * skipped ones included, and at most PUT_BATCH are given back per hold of
 * the lock.
 *
 * Return: how many tokens were live and are now free.
 */
int dmabuf_pp_tokens_return(struct dmabuf_pp_tokens *t,
			    const struct dmabuf_token *req, unsigned int n,
			   dmabuf_pp_put_fn put)
{
	unsigned int i, looked = 0, nput = 0;
	netmem_ref batch[PUT_BATCH];
	int freed = 0;

	spin_lock_bh(&t->lock);
	for (i = 0; i < n; i++) {
		u32 j;

		for (j = 0; j < req[i].token_count; j++) {
			u32 tok = req[i].token_start + j;

			if (++looked > DMABUF_PP_DONTNEED_MAX)
				goto unlock;
			if (!tok || tok >= t->top || !slot_is_token(*slot(t, tok)))
				continue;
			batch[nput++] = slot_take(t, tok);
			freed++;
			if (nput == PUT_BATCH) {
				spin_unlock_bh(&t->lock);
				put(batch, nput);
				nput = 0;
				spin_lock_bh(&t->lock);
			}
		}
	}
unlock:
	spin_unlock_bh(&t->lock);
	put(batch, nput);
	return freed;
}

/**
 * dmabuf_pp_tokens_return_all() - every live token is given back
 * @t: the table
 * @put: as for dmabuf_pp_tokens_return()
 * @may_sleep: the caller is in process context and may be rescheduled
 *	between batches; false for the socket's destructor, which also runs
 *	from softirq (a closed socket's last timer)
 *
 * Each hold of the lock looks at SCAN_STEP slots at most, and the walk
 * ends once no live token is left: a table emptied at close costs the
 * destructor nothing.
 */
void dmabuf_pp_tokens_return_all(struct dmabuf_pp_tokens *t,
				 dmabuf_pp_put_fn put, bool may_sleep)
{
	netmem_ref batch[PUT_BATCH];
	unsigned int nput;
	u32 s = 1, end;

	for (;;) {
		nput = 0;
		spin_lock_bh(&t->lock);
		if (!t->live || s >= t->top) {
			spin_unlock_bh(&t->lock);
			break;
		}
		end = min(t->top, s + SCAN_STEP);
		for (; s < end && nput < PUT_BATCH; s++)
			if (slot_is_token(*slot(t, s)))
				batch[nput++] = slot_take(t, s);
		spin_unlock_bh(&t->lock);
		put(batch, nput);
		if (may_sleep)
			cond_resched();
	}
}

/* --- a socket's tokens ------------------------------------------------------ */

/* Buffers held by user space are counted on the binding they belong to. */
static struct dmabuf_pp_binding *netmem_binding(netmem_ref netmem)
{
	return netmem_to_net_iov(netmem)->pp_area->binding;
}

/* Give buffers back to their page_pools. */
static void put_netmems(const netmem_ref *netmems, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* Counted before the put, which may free the binding. */
		this_cpu_dec(netmem_binding(netmems[i])->pcpu->user);
		WARN_ON_ONCE(!napi_pp_put_page(netmems[i]));
	}
}

/**
 * dmabuf_pp_tokens_sk_reserve() - tokens for frags about to go to user space
 * @sk: a TCP socket in recvmsg(MSG_SOCK_DEVMEM), locked
 * @tokens: where to put them
 * @n: how many are wanted
 *
 * Return: how many were reserved (at least one), -ENOBUFS when the socket
 * holds as many tokens as it may, or another negative errno.
 */
int dmabuf_pp_tokens_sk_reserve(struct sock *sk, u32 *tokens, unsigned int n)
{
	struct dmabuf_pp_tokens *t = sk->sk_devmem_tokens;

	sock_owned_by_me(sk);

	if (!t) {
		t = dmabuf_pp_tokens_alloc();
		if (!t)
			return -ENOMEM;
		/* SO_DEVMEM_DONTNEED may look at it at once */
		smp_store_release(&sk->sk_devmem_tokens, t);
	}
	return dmabuf_pp_tokens_reserve(t, tokens, n);
}

/**
 * dmabuf_pp_tokens_sk_commit() - the reserved tokens went out, or did not
 * @sk: the socket dmabuf_pp_tokens_sk_reserve() reserved them on, locked
 * @tokens: the reserved tokens
 * @netmems: the buffers of the first @used, each with a reference taken
 *	for user space
 * @used: how many of @tokens went to user space in a cmsg
 * @reserved: how many were reserved; the rest are freed
 */
void dmabuf_pp_tokens_sk_commit(struct sock *sk, const u32 *tokens,
				const netmem_ref *netmems, unsigned int used,
			     unsigned int reserved)
{
	struct dmabuf_pp_tokens *t = sk->sk_devmem_tokens;
	unsigned int i;

	if (!reserved)
		return;
	for (i = 0; i < used; i++) {
		struct dmabuf_pp_binding *binding = netmem_binding(netmems[i]);

		this_cpu_inc(binding->pcpu->user);
		dmabuf_pp_tokens_raise_limit(t, binding->token_limit);
	}
	dmabuf_pp_tokens_commit(t, tokens, netmems, used, reserved);
}

/**
 * dmabuf_pp_niov_delivered() - payload of a buffer went to user space
 * @niov: the buffer
 * @bytes: how many of its bytes a cmsg described
 */
void dmabuf_pp_niov_delivered(const struct net_iov *niov, unsigned int bytes)
{
	this_cpu_add(niov->pp_area->binding->pcpu->rx_bytes, bytes);
}

/**
 * dmabuf_pp_tokens_sk_dontneed() - SO_DEVMEM_DONTNEED
 * @sk: the socket; not locked
 * @optval: an array of struct dmabuf_token
 * @optlen: its size: a whole number of entries, at most 1024 of them
 *
 * Tokens that are not live on this socket (never issued, already returned,
 * another socket's) are skipped. At most 1024 tokens are looked at per
 * call, counting skipped ones.
 *
 * Return: how many buffers were given back, or a negative errno.
 */
int dmabuf_pp_tokens_sk_dontneed(struct sock *sk, sockptr_t optval,
				 unsigned int optlen)
{
	struct dmabuf_token onstack[DMABUF_PP_DONTNEED_ONSTACK], *req = onstack;
	unsigned int n = optlen / sizeof(*req);
	struct dmabuf_pp_tokens *t;
	int ret = 0;

	if (!sk_is_tcp(sk))
		return -EBADF;
	if (optlen % sizeof(*req) || n > DMABUF_PP_DONTNEED_MAX)
		return -EINVAL;

	if (n > ARRAY_SIZE(onstack)) {
		req = kvmalloc_array(n, sizeof(*req), GFP_KERNEL);
		if (!req)
			return -ENOMEM;
	}
	if (copy_from_sockptr(req, optval, optlen)) {
		ret = -EFAULT;
		goto free_req;
	}

	/* Pairs with the release in dmabuf_pp_tokens_sk_reserve(): a table we
	 * see is initialised. The socket lock is not ours to take here.
	 */
	t = smp_load_acquire(&sk->sk_devmem_tokens);
	if (t)	/* else nothing was ever issued */
		ret = dmabuf_pp_tokens_return(t, req, n, put_netmems);
free_req:
	if (req != onstack)
		kvfree(req);
	return ret;
}

/**
 * dmabuf_pp_tokens_sk_release() - the socket's descriptor is closed
 * @sk: a TCP socket, locked, in __tcp_close()
 *
 * Nobody can return a token once the descriptor is gone, so its buffers go
 * back now. Left to the socket's destruction, they would stay out for as
 * long as the orphaned socket lingers, which is minutes when its peer or
 * device is gone (FIN-WAIT retries), keeping the binding alive.
 */
void dmabuf_pp_tokens_sk_release(struct sock *sk)
{
	if (sk->sk_devmem_tokens)
		dmabuf_pp_tokens_return_all(sk->sk_devmem_tokens, put_netmems,
					    true);
}

/**
 * dmabuf_pp_tokens_sk_destroy() - the socket is destroyed
 * @sk: a TCP socket in its destructor
 *
 * Gives back what is left (a socket that was never closed by user space
 * holds nothing, but be sure) and frees the table.
 */
void dmabuf_pp_tokens_sk_destroy(struct sock *sk)
{
	struct dmabuf_pp_tokens *t = sk->sk_devmem_tokens;

	if (!t)
		return;
	dmabuf_pp_tokens_return_all(t, put_netmems, false);
	sk->sk_devmem_tokens = NULL;
	dmabuf_pp_tokens_free(t);
}
