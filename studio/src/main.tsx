import { createRoot } from "react-dom/client";
import { useStream } from "@langchain/langgraph-sdk/react";
import dagre from "@dagrejs/dagre";
function App() { const s = useStream({ apiUrl: location.origin, assistantId: "a" }); return <h1>lg-dev Studio {String(s.isLoading)} {String(dagre)}</h1>; }
createRoot(document.getElementById("root")!).render(<App />);
