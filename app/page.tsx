export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Models and ensembles</h1>
      <p className="text-slate-700">Train a model once, keep its artifacts, and build ensembles without retraining.</p>
    </div>
  );
}
