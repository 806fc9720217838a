import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { forecastGameAction, forecastScheduleAction } from "@/app/(dashboard)/forecast/actions";
import { pageIdentity } from "@/app/_lib/session";
import { ForecastPanel, type GamesDatasetChoice } from "@/components/forecast/forecast-panel";
import { Card, EmptyState, PageHeader } from "@/components/ui";
import { forecastChoices } from "@/lib/forecast/choices";
import { teamsForPicking } from "@/lib/forecast/games-facts";

export const metadata: Metadata = { title: "Forecast · NBA Ensemble Lab" };

export default async function ForecastPage() {
  await connection();
  const { allowed } = await pageIdentity("editor");
  const { ensembles, datasets } = await forecastChoices();
  const choices: GamesDatasetChoice[] = datasets.map((d) => ({
    path: d.path,
    games: d.facts.games,
    firstDate: d.facts.first_date,
    lastDate: d.facts.last_date,
    lastSeason: d.facts.last_season,
    ...teamsForPicking(d.facts),
  }));
  const usable = ensembles.filter((e) => e.usable);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Forecast"
        description="Who wins this game on this date, and how sure are we: an ensemble's answer from features computed out of a games dataset's results before that date."
      />
      {choices.length === 0 || usable.length === 0 ? (
        <Card>
          <EmptyState title={choices.length === 0 ? "No games dataset yet" : "No ensemble can forecast yet"}>
            {choices.length === 0 ? (
              <>
                <Link className="text-court underline" href="/datasets">Upload game results</Link> (date, season, team1, team2, score1, score2) first.
              </>
            ) : (
              <>
                An ensemble can forecast once it is built from models that use only features the product computes from results
                (its own Elo, rest, form, records). Build a feature table from a games dataset on{" "}
                <Link className="text-court underline" href="/datasets">Datasets</Link>, train models on it and{" "}
                <Link className="text-court underline" href="/ensembles/new">stack them</Link>.
                {ensembles.length > 0 ? ` Not usable now: ${ensembles.map((e) => `${e.name} (${e.reason})`).join("; ")}.` : ""}
              </>
            )}
          </EmptyState>
        </Card>
      ) : (
        <ForecastPanel ensembles={ensembles} datasets={choices} canForecast={allowed} forecastGame={forecastGameAction} forecastSchedule={forecastScheduleAction} />
      )}
    </div>
  );
}
