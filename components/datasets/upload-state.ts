import type { DatasetInfo } from "@/lib/datasets";
import type { ActionState } from "@/components/action-state";

export type UploadState = ActionState & { dataset: DatasetInfo | null };

export const UPLOAD_IDLE: UploadState = { ok: false, message: null, fieldErrors: {}, dataset: null };
