// A worker thread that reads and describes uploaded CSV files, so that parsing
// tens of megabytes never holds up the web server's event loop.
import { serveRequests } from "@/lib/threads/serve";
import { analyzeCsvFile } from "./analysis";

serveRequests((request: { file: string }) => analyzeCsvFile(request.file));
