import { operationId } from "./http/route";
import { typedNullables } from "./openapi";

describe("operationId", () => {
  it("names an operation after its method and path, path parameters as By<Name>", () => {
    expect(operationId("post", "/api/auth/login")).toBe("postAuthLogin");
    expect(operationId("get", "/api/me")).toBe("getMe");
    expect(operationId("get", "/api/newbook/sync-runs/:run_id")).toBe("getNewbookSyncRunsByRunId");
    expect(operationId("post", "/api/newbook/sync/:job_id/resume")).toBe("postNewbookSyncByJobIdResume");
  });
});

describe("typedNullables", () => {
  const schemas = { K: { type: "object", properties: {} } };

  it("moves a union's bare {nullable: true} member onto its typed members", () => {
    const doc = {
      anyOf: [
        { type: "array", items: { type: "string" } },
        { $ref: "#/components/schemas/K" },
        { nullable: true },
      ],
    };
    expect(typedNullables(doc, schemas)).toEqual({
      anyOf: [
        { type: "array", items: { type: "string" }, nullable: true },
        { type: "object", nullable: true, allOf: [{ $ref: "#/components/schemas/K" }] },
      ],
    });
  });

  it("reads a bare {nullable: true} outside a union as any value", () => {
    expect(typedNullables({ type: "object", additionalProperties: { nullable: true } }, schemas)).toEqual({
      type: "object",
      additionalProperties: {},
    });
  });

  it("leaves typed nullables and unions without null alone", () => {
    const doc = {
      a: { type: "number", nullable: true },
      b: { oneOf: [{ type: "string" }, { type: "number" }] },
    };
    expect(typedNullables(doc, schemas)).toEqual(doc);
  });
});
