// The scoring thread: scores one half of a large prediction while the web
// server's thread scores the other (./scoring-thread.ts says when and why).
import { serveRequests } from "@/lib/threads/serve";
import { handleScoringRequest } from "./scoring-work";

// The request it serves waits for it, so it runs at the request's priority.
serveRequests(handleScoringRequest, { priority: "request" });
