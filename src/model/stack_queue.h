/*
 * stack_queue.h - adds samples given as frame ids to a profile, on a
 * second thread when the machine has one to spare.
 *
 * A text reader spends its time in two halves: parsing lines and
 * interning frame names (strings, frames), and finding or adding stacks
 * in the prefix tree and summing totals (stacks, totals).  The halves
 * touch disjoint parts of the profile, so the reader can do the first
 * while a worker thread does the second.  Samples are added in the order
 * they are queued, so every id is the same as without the thread and so
 * is every output.
 *
 * Each sample names how many leading frames it shares with the previous
 * one (its stack ids are reused, as in a sorted folded file) and the
 * frame ids that follow.  While a queue is open the caller may intern
 * strings and frames but must not touch stacks, totals or samples, nor
 * change the value types.
 */
#ifndef SCORCH_MODEL_STACK_QUEUE_H
#define SCORCH_MODEL_STACK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct profile;
struct stack_queue;

/* A queue adding to p.  The worker thread starts once a batch is full,
 * when more than one CPU is online and the load average leaves one
 * free; SCORCH_THREADS=1 in the environment keeps all work on the
 * calling thread, SCORCH_THREADS=2 starts the worker regardless. */
struct stack_queue *stack_queue_new(struct profile *p);
/* Queues a sample: the first keep frames of the previous sample's stack
 * (at most its depth; 0 for the first), then frames[0..n), outermost
 * first; values has p->nr_values entries. */
void stack_queue_add(struct stack_queue *q, uint32_t keep,
		     const uint32_t *frames, size_t n, uint32_t thread,
		     int64_t time_ns, const double *values);
/* Adds everything still queued, stops the worker and frees the queue. */
void stack_queue_finish(struct stack_queue *q);

#endif
