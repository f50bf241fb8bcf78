/**
 * A fleet operation refused for a reason the person asking can act on. `status` is the HTTP
 * status the API answers with; the CLI prints the message alone.
 */
export class FleetError extends Error {
  override name = "FleetError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422 | 503 = 400,
  ) {
    super(message);
  }
}
