// A worker thread for games files: parsing and replaying a whole history
// never holds up the web server's event loop.
import { serveRequests } from "@/lib/threads/serve";
import { handleGamesRequest } from "./games-work";

serveRequests(handleGamesRequest);
