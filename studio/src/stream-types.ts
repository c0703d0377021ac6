/** The part of useStream's handle the Studio uses, typed loosely (the SDK's own types are generic over agents). */
import type { Checkpoint, Config, Interrupt, Message, ThreadState } from "@langchain/langgraph-sdk";

export interface SubmitOptions {
  checkpoint?: Omit<Checkpoint, "thread_id"> | null;
  command?: { resume?: unknown; goto?: unknown; update?: unknown };
  config?: Config;
  context?: unknown;
  streamMode?: string[];
  streamSubgraphs?: boolean;
  streamResumable?: boolean;
  onDisconnect?: "cancel" | "continue";
  multitaskStrategy?: "reject" | "interrupt" | "rollback" | "enqueue";
}

export interface MessageMeta {
  messageId: string;
  firstSeenState: ThreadState | undefined;
  branch: string | undefined;
  branchOptions: string[] | undefined;
}

export interface StudioStream {
  values: Record<string, unknown>;
  messages: Message[];
  isLoading: boolean;
  isThreadLoading: boolean;
  error: unknown;
  interrupts: Array<Interrupt & { when?: string }>;
  submit(values: unknown, options?: SubmitOptions): Promise<void>;
  stop(): Promise<void>;
  joinStream(runId: string, lastEventId?: string, options?: { streamMode?: string[] }): Promise<void>;
  setBranch(branch: string): void;
  branch: string;
  getMessagesMetadata(message: Message, index?: number): MessageMeta | undefined;
}
