import { html, nothing } from "lit";
import { ApiError } from "../api";
import { t } from "../i18n/i18n";

/**
 * A failure in words the reader understands (from the catalogue), with the server's own
 * message folded under "technical details" for crews. Renders nothing for no error.
 */
export function errorMessage(error: unknown) {
  if (!error) return nothing;
  const apiError = error instanceof ApiError ? error : new ApiError(0, "client", (error as Error).message ?? String(error));
  return html`<div class="error" role="alert">
    <p>${t(apiError.messageKey)}</p>
    <details><summary>${t("error.details")}</summary><p class="codes">${apiError.status || ""} ${apiError.code}: ${apiError.message}</p></details>
  </div>`;
}
