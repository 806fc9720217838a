import { randomUUID } from "node:crypto";
import { Schema, type Collection, type Model } from "mongoose";
import { defineModel } from "./common";

/**
 * One token that every write to a model config or an ensemble replaces (see
 * watchServingWrites). A serving process remembers what it last read of a
 * model or ensemble together with this token, so one read of this small
 * document per request tells it whether anything it remembers may have moved.
 * A fresh random token, not a counter: FerretDB applies `$inc` as a read then a
 * write, so concurrent moves of a counter can lose one and even set it back to
 * a value a reader already remembers; a token written after a write is one no
 * reader has seen. The collection holds other stamps of the same kind too
 * (moveStamp, readStamp): the datasets' and each GridFS bucket's, moved by
 * their writes.
 */
const servingStampSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, default: "" },
  },
  { collection: "serving_stamps", versionKey: false },
);

type StampDoc = { _id: string; token: string };

export const ServingStamp: Model<StampDoc> = defineModel<StampDoc>("ServingStamp", servingStampSchema);

/** The one stamp document's id. */
export const SERVING_STAMP_ID = "models";

/**
 * Replaces the token of the stamp `id` (this collection holds one per purpose:
 * the serving stamp, each GridFS bucket's); called after the write it
 * announces has been acknowledged.
 */
export async function moveStamp(id: string): Promise<void> {
  await ServingStamp.updateOne({ _id: id }, { $set: { token: randomUUID() } }, { upsert: true });
}

/**
 * The stamp's token now: "" before any write announced one. Read through the
 * collection rather than a query: serving reads it once per request (or per
 * burst), and a query object, its casting and middleware cost more than the
 * one token is worth.
 */
export async function readStamp(id: string): Promise<string> {
  const stamps = ServingStamp.collection as unknown as Collection<StampDoc>;
  const doc = await stamps.findOne({ _id: id }, { projection: { _id: 0, token: 1 } });
  return doc?.token ?? "";
}

/** Moves the serving stamp; called after the write it announces has been acknowledged. */
export const bumpServingStamp = (): Promise<void> => moveStamp(SERVING_STAMP_ID);

const WRITES = ["updateOne", "updateMany", "findOneAndUpdate", "findOneAndReplace", "replaceOne", "deleteOne", "deleteMany", "findOneAndDelete"] as const;

/** The datasets' stamp: moved by every write to a dataset (lib/datasets remembers dataset documents under it). */
export const DATASETS_STAMP_ID = "datasets";

/**
 * Every way mongoose writes the schema's documents moves the stamp `id` once
 * the write is acknowledged, before the caller sees it done: a retrain or a
 * promote has moved the serving stamp by the time it returns, in whichever
 * process it ran.
 */
export function watchWrites(schema: Schema, id: string): void {
  const move = () => moveStamp(id);
  for (const op of WRITES) schema.post(op, move);
  schema.post("save", move);
  schema.post("insertMany", move);
  schema.post("bulkWrite", move);
  schema.post("deleteOne", { document: true, query: false }, move);
  schema.post("updateOne", { document: true, query: false }, move);
}

/** Writes to model configs and ensembles move the serving stamp. */
export const watchServingWrites = (schema: Schema): void => watchWrites(schema, SERVING_STAMP_ID);
