import { html } from "lit";
import { api } from "../api";
import { SwElement } from "../base";
import { t } from "../i18n/i18n";
import { registerView } from "../router";
import { errorMessage } from "../ui/error-message";

/**
 * Opened from a one-time sign-in link or QR code (`#/signin/<code>`): spends the code for a
 * session cookie, then goes to the incidents. The code sits in the URL fragment, which browsers
 * never send to a server, and is wiped from the address bar at once.
 */
export class SwSigninLink extends SwElement {
  static override properties = { params: { attribute: false }, failure: { state: true } };
  params: Record<string, string> = {};
  failure: unknown = null;

  override connectedCallback(): void {
    super.connectedCallback();
    const token = this.params.token;
    history.replaceState(null, "", "#/signin");
    void api.signIn(token).then(
      () => {
        location.hash = "#/";
      },
      (error: unknown) => (this.failure = error),
    );
  }

  protected override render() {
    return html`<div class="card">
      <h1>${t("signin.title")}</h1>
      ${this.failure ? html`<p>${t("signin.failed")}</p>${errorMessage(this.failure)}<p>${t("signin.ask")}</p>` : html`<p>${t("signin.working")}</p>`}
    </div>`;
  }
}
customElements.define("sw-signin-link", SwSigninLink);
registerView({ pattern: "/signin/:token", tag: "sw-signin-link", public: true });
