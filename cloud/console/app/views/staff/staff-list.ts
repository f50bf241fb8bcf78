import { html, nothing } from "lit";
import { api, type PlaceRow } from "../../api";
import { SwElement } from "../../base";
import { t, tCode } from "../../i18n/i18n";
import { href, navigate, registerView } from "../../router";
import { staffApi, type SessionRow, type StaffRole, type StaffView } from "../../staff-api";
import { confirmDialog } from "../../ui/confirm";
import { errorMessage } from "../../ui/error-message";
import { ROLE_WORDS, ROLES, scopesText, shiftsText } from "./staff-words";

/** The phone format the server takes (E.164), for the field's own check. */
export const PHONE_PATTERN = "\\+[1-9][0-9]{6,14}";

/**
 * The people who receive alarms and use the console (admins only): their role, their places,
 * when they are on duty, whether they are active and signed in anywhere; adding someone.
 */
export class SwStaffList extends SwElement {
  static override properties = { staff: { state: true }, sessions: { state: true }, places: { state: true }, failure: { state: true }, loaded: { state: true } };
  staff: StaffView[] = [];
  sessions: SessionRow[] = [];
  places: PlaceRow[] = [];
  failure: unknown = null;
  loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [staff, sessions, places] = await Promise.all([staffApi.list(), staffApi.sessions(), api.places()]);
      this.staff = staff.staff;
      this.sessions = sessions.sessions;
      this.places = places.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  /** Asks for the essentials; places, duty windows and the sign-in link follow on the person's page. */
  private async add(): Promise<void> {
    const answer = await confirmDialog({
      title: t("staff.addTitle"),
      body: t("staff.addBody"),
      confirmLabel: t("staff.add"),
      fields: html`<label for="person-name">${t("staff.field.name")}</label>
        <input id="person-name" name="name" required maxlength="100" autocomplete="off" />
        <label for="person-role">${t("staff.field.role")}</label>
        <select id="person-role" name="role">${ROLES.map((r) => html`<option value=${r}>${t(ROLE_WORDS[r])}</option>`)}</select>
        <label for="person-phone">${t("staff.field.phone")}</label>
        <input id="person-phone" name="phone" type="tel" inputmode="tel" pattern=${PHONE_PATTERN} autocomplete="off" aria-describedby="person-phone-help" />
        <p class="muted" id="person-phone-help">${t("staff.field.phoneHelp")}</p>`,
    });
    if (!answer.confirmed || !answer.form) return;
    const phone = String(answer.form.get("phone") ?? "").trim();
    try {
      const created = await staffApi.create({
        name: String(answer.form.get("name") ?? "").trim(),
        role: String(answer.form.get("role")) as StaffRole,
        ...(phone ? { phone } : {}),
        scopes: [],
        shifts: [],
      });
      navigate(`/staff/${created.staff.id}`);
    } catch (error) {
      this.failure = error;
    }
  }

  protected override render() {
    // Active people first, by name; the deactivated after them.
    const people = [...this.staff].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
    return html`<section aria-labelledby="staff-title">
      <div class="row"><h1 id="staff-title">${t("staff.title")}</h1><span class="muted">${t("staff.count", { n: this.staff.filter((p) => p.active).length })}</span></div>
      <div class="actions actions-start"><button class="btn btn-primary" type="button" data-action="add-person" @click=${() => void this.add()}>${t("staff.add")}</button></div>
      ${errorMessage(this.failure)}
      ${this.loaded && !this.failure && !people.length ? html`<p class="empty">${t("staff.empty")}</p>` : nothing}
      <ul class="list capsule-grid">
        ${people.map((p) => {
          const signedIn = this.sessions.filter((s) => s.staffId === p.id).length;
          return html`<li>
            <a class="card list-item ${p.active ? "" : "inactive"}" href=${href(`/staff/${p.id}`)} data-person=${p.id}>
              <div class="row"><h2>${p.name}</h2><span>${tCode("role", p.role)}</span>${p.active ? nothing : html`<span class="badge sev-warning">${t("staff.deactivated")}</span>`}</div>
              <p>${t("staff.placesLine", { places: scopesText(p.scopes, this.places) })}</p>
              <p>${t("staff.dutyLine", { duty: shiftsText(p.shifts) })}</p>
              <p class="muted">${t("staff.signedInOn", { n: signedIn })}</p>
            </a>
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("sw-staff-list", SwStaffList);
registerView({ pattern: "/staff", tag: "sw-staff-list", nav: "nav.staff", adminOnly: true });
