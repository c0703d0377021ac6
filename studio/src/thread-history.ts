/**
 * The open thread's checkpoints, fetched once for both the History panel and useStream (passed as its `thread`, so
 * branching and "edit a message" work from the same list; useStream calls `mutate` after each run).
 */
import type { Client, ThreadState } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useRef, useState } from "react";

/** Checkpoints fetched per thread (newest first); the panel says when there are more. */
export const HISTORY_LIMIT = 200;

export interface ThreadHistory {
  data: ThreadState[] | null | undefined;
  error: unknown;
  isLoading: boolean;
  truncated: boolean;
  /** The thread's status as of the last read (`idle`, `busy`, `interrupted`, `error`). */
  status: string | undefined;
  mutate: (threadId?: string) => Promise<ThreadState[] | null | undefined>;
}

export function useThreadHistory(client: Client, threadId: string | undefined, report: (err: unknown) => void): ThreadHistory {
  const [state, setState] = useState<{ key: string | undefined; data: ThreadState[] | undefined; error: unknown; isLoading: boolean; status?: string }>({
    key: threadId,
    data: undefined,
    error: undefined,
    isLoading: threadId !== undefined,
  });
  const seq = useRef(0);
  const current = useRef(threadId);
  current.current = threadId;

  const mutate = useCallback(
    async (id?: string) => {
      const target = id ?? current.current;
      const n = ++seq.current;
      if (!target) {
        setState({ key: undefined, data: undefined, error: undefined, isLoading: false });
        return undefined;
      }
      setState((s) => (s.key === target ? { ...s, isLoading: true } : { key: target, data: undefined, error: undefined, isLoading: true }));
      try {
        const [data, thread] = await Promise.all([client.threads.getHistory(target, { limit: HISTORY_LIMIT }), client.threads.get(target)]);
        if (n === seq.current) setState({ key: target, data, error: undefined, isLoading: false, status: thread.status });
        return data;
      } catch (error) {
        if (n === seq.current) {
          setState((s) => ({ ...s, error, isLoading: false }));
          report(error);
        }
        return undefined;
      }
    },
    [client, report],
  );

  useEffect(() => {
    void mutate(threadId);
  }, [mutate, threadId]);

  const fresh = state.key === threadId;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    isLoading: fresh ? state.isLoading : threadId !== undefined,
    truncated: fresh && (state.data?.length ?? 0) >= HISTORY_LIMIT,
    status: fresh ? state.status : undefined,
    mutate,
  };
}
