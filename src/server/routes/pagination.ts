import type { FastifyReply } from "fastify";

/**
 * A search reply: the page of items, with the paging headers the official server sends (the total before paging,
 * and the offset of the next page while there is one).
 */
export function pageReply<T>(reply: FastifyReply, query: { offset?: number; limit?: number }, { items, total }: { items: T[]; total: number }): T[] {
  reply.header("X-Pagination-Total", String(total));
  const offset = query.offset ?? 0;
  if (offset + items.length < total) reply.header("X-Pagination-Next", String(offset + (query.limit ?? 10)));
  return items;
}
