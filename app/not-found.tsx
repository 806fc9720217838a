import Link from "next/link";

export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">Not found</h1>
      <p>That page or record does not exist (it may have been deleted).</p>
      <Link className="text-court underline" href="/">Back to the overview</Link>
    </div>
  );
}
