import { describe, expect, it } from "vitest";
import { ArtifactMissingError } from "@/lib/artifacts";
import { BaseModelUnavailableError } from "@/lib/ensemble/base-models";
import { NotFoundError, ValidationError, publicMessage } from "./errors";

describe("publicMessage", () => {
  it("keeps the sentences written for users and hides every other message", () => {
    expect(publicMessage(new ValidationError("The seed must be a whole number."))).toBe("The seed must be a whole number.");
    expect(publicMessage(new NotFoundError("model", "abc"))).toBe('No model with id "abc".');
    expect(publicMessage(new ArtifactMissingError("r_model.json", "model"))).toMatch(/not in the artifact store/);
    expect(publicMessage(new BaseModelUnavailableError("id", 'Base model "m" cannot be used.'))).toBe('Base model "m" cannot be used.');
    const fsError = Object.assign(new Error("ENOTDIR: not a directory, open '/srv/app/.data/datasets/x.csv/y'"), { code: "ENOTDIR" });
    expect(publicMessage(fsError)).toBe("Something went wrong on the server; the error was logged.");
    expect(publicMessage("a thrown string")).not.toContain("string");
  });
});
