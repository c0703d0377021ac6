import type { FastifyReply } from "fastify";

/**
 * The paging headers of a search reply, as the official server sends them: the total before paging, and the
 * offset of the next page while there is one.
 */
export function setPaginationHeaders(reply: FastifyReply, query: { offset?: number; limit?: number }, count: number, total: number): void {
  reply.header("X-Pagination-Total", String(total));
  const offset = query.offset ?? 0;
  if (offset + count < total) reply.header("X-Pagination-Next", String(offset + (query.limit ?? 10)));
}
