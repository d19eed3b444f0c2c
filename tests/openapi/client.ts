// A small program against the TypeScript types that openapi-typescript
// generates from docs/openapi.yaml (relais-api.d.ts, next to this file when
// typescript_client_test.sh compiles it). It creates a project, records a
// command and lists projects, reading typed members of each answer: if the
// document loses an operation id, a schema or a member, tsc fails here.
import type { components, operations } from "./relais-api";

type Problem = components["schemas"]["Problem"];

// The JSON body an operation answers with for one status.
type JsonOf<Op extends keyof operations, Status extends keyof operations[Op]["responses"]> =
  operations[Op]["responses"][Status] extends { content: { "application/json": infer Body } } ? Body : never;
type RequestOf<Op extends keyof operations> =
  operations[Op] extends { requestBody: { content: { "application/json": infer Body } } } ? Body : never;
type QueryOf<Op extends keyof operations> =
  operations[Op]["parameters"] extends { query?: infer Query } ? NonNullable<Query> : never;

export class RelaisClient {
  constructor(private readonly baseUrl: string, private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = (await response.json()) as Problem;
      throw new Error(`${problem.status} ${problem.title}: ${problem.detail ?? ""} (${problem.type})`);
    }
    return (await response.json()) as T;
  }

  createProject(body: RequestOf<"createProject">, idempotencyKey?: string): Promise<JsonOf<"createProject", 201>> {
    const headers: Record<string, string> = idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {};
    return this.call("POST", "/v1/projects", body, headers);
  }

  runCommand(projectId: string, command: RequestOf<"runCommand">, ifMatch?: string): Promise<JsonOf<"runCommand", 201>> {
    const headers: Record<string, string> = ifMatch ? { "If-Match": ifMatch } : {};
    return this.call("POST", `/v1/projects/${encodeURIComponent(projectId)}/events`, command, headers);
  }

  listProjects(query: QueryOf<"listProjects"> = {}): Promise<JsonOf<"listProjects", 200>> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    const text = params.toString();
    return this.call("GET", "/v1/projects" + (text ? `?${text}` : ""));
  }
}

export async function demo(client: RelaisClient): Promise<string[]> {
  const created = await client.createProject({
    workflow: "cbe_action",
    title: "Mobilité Orly-Rungis",
    programme: "sud-val-de-marnais",
    planned_years: { mobilisation: 2026 },
  });
  const firstEvent: components["schemas"]["Event"] | undefined = created.events[0];
  const version: number = created.version;
  const actor: string = firstEvent ? firstEvent.metadata.actor : "";
  const appended = await client.runCommand(created.project_id, {
    type: "indicateur_enregistre",
    data: { indicateur: "personnes_placees", valeur: 4 },
  }, `"${version}"`);
  const position: number = appended.events[0]?.position ?? 0;
  const page = await client.listProjects({ sort: "updated", late: false, limit: 20, offset: 0 });
  const total: number = page.total;
  const phases: string[] = page.projects.map(p => `${p.info.id}: ${p.state.phase}${p.late ? " (late)" : ""}`);
  return [actor, String(position), String(total), ...phases];
}
