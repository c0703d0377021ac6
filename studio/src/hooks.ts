import { useCallback, useEffect, useRef, useState } from "react";

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<T | undefined>;
}

/**
 * Run `load` when `deps` change (and on `reload()`); the newest call wins, older answers are dropped. Errors go
 * to `onError` too (the page's alert) unless it is left out.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], onError?: (err: unknown) => void): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  const controller = useRef<AbortController | undefined>(undefined);

  const reload = useCallback(async () => {
    const id = ++seq.current;
    controller.current?.abort();
    const ctrl = new AbortController();
    controller.current = ctrl;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current(ctrl.signal);
      if (id === seq.current) setState({ data, error: undefined, loading: false });
      return data;
    } catch (error) {
      if (ctrl.signal.aborted || id !== seq.current) return undefined;
      setState((s) => ({ data: s.data, error, loading: false }));
      onErrorRef.current?.(error);
      return undefined;
    }
  }, []);

  useEffect(() => {
    // New inputs: what was loaded for the old ones must not show meanwhile (another user's assistants, say).
    setState({ data: undefined, error: undefined, loading: true });
    void reload();
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { ...state, reload };
}

/** Call `fn` every `ms` while the page is visible (and once when it becomes visible or focused again). */
export function useVisiblePolling(fn: () => void, ms: number, enabled = true): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      if (document.visibilityState === "visible") fnRef.current();
    };
    const timer = setInterval(tick, ms);
    const onVisible = () => tick();
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, [ms, enabled]);
}
