/** Running a built UI bundle the way a page with the SDK's `LoadExternalComponent` runs it, without a browser. */
import { runInNewContext } from "node:vm";

/** A JSX element as the stand-in jsx runtime makes it. */
export interface Element {
  type: unknown;
  props: Record<string, unknown> & { children?: unknown };
}

/** What the SDK's loader saw: the components handed to its store, and the modules the bundle required. */
export interface LoadedBundle {
  responded: Array<{ shadowRootId: string; component: (props: Record<string, unknown>) => Element; target: unknown }>;
  required: string[];
  appended: unknown[];
}

/**
 * Evaluate `js` as the script the snippet loads, then call `<global>.render(name, shadowRootId)` as its onload does.
 * The globals are those the SDK's `bootstrapUiContext` installs: `Symbol.for("LGUI_REQUIRE")` (the modules the
 * bundle leaves external) and `Symbol.for("LGUI_EXT_STORE")` (whose `respond` receives the component); React is a
 * stand-in whose jsx() returns plain objects.
 */
export function loadBundle(js: string, globalName: string, name: string, modules: Record<string, unknown> = {}): LoadedBundle {
  const out: LoadedBundle = { responded: [], required: [], appended: [] };
  const jsx = (type: unknown, props: Record<string, unknown>) => ({ type, props });
  const provided: Record<string, unknown> = {
    react: { createElement: jsx, useState: (v: unknown) => [v, () => undefined] },
    "react/jsx-runtime": { jsx, jsxs: jsx, Fragment: "Fragment" },
    "react-dom": {},
    "@langchain/langgraph-sdk/react-ui": { useStreamContext: () => ({ meta: "thread-meta" }) },
    ...modules,
  };
  const sandbox: Record<string | symbol, unknown> = {
    document: {
      getElementById: (id: string) => ({ id, shadowRoot: { appendChild: (el: unknown) => out.appended.push(el) } }),
      createElement: (tag: string) => ({ tag }),
    },
  };
  sandbox.window = sandbox;
  sandbox[Symbol.for("LGUI_REQUIRE")] = (module: string) => {
    out.required.push(module);
    if (!(module in provided)) throw new Error(`Unknown module...: ${module}`);
    return provided[module];
  };
  sandbox[Symbol.for("LGUI_EXT_STORE")] = {
    respond: (shadowRootId: string, component: LoadedBundle["responded"][number]["component"], target: unknown) =>
      out.responded.push({ shadowRootId, component, target }),
  };
  runInNewContext(`${js}\n;${globalName}.render(${JSON.stringify(name)}, "shadow-1");`, sandbox);
  return out;
}

/** The text of an element tree (children flattened). */
export function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === "boolean") return "";
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  const el = node as Element;
  if (typeof el.type === "function") return textOf((el.type as (p: unknown) => unknown)(el.props));
  return textOf(el.props?.children);
}
