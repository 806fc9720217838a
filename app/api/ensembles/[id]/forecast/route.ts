import { forecastGames } from "@/lib/forecast/service";
import { json, readJson, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** {games_dataset, games: [{date, team1, team2, neutral?, playoff?}]} -> P(team1 wins) per game, with each base model's and the features used. */
export const POST = route("editor", async (req: Request, { params }: Ctx) => json(await forecastGames((await params).id, await readJson(req))));
