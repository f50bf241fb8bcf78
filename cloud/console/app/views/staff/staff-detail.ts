import { html, nothing } from "lit";
import { api, type PlaceRow } from "../../api";
import { SwElement } from "../../base";
import { dateTime, t, tCode } from "../../i18n/i18n";
import { href, registerView } from "../../router";
import { staffApi, type SessionRow, type Shift, type SignInLink, type StaffRole, type StaffView } from "../../staff-api";
import { confirmDialog } from "../../ui/confirm";
import { errorMessage } from "../../ui/error-message";
import { placeTrail } from "../../ui/place-select";
import { PHONE_PATTERN } from "./staff-list";
import { DAY_WORDS, DAYS, ROLE_WORDS, ROLES, scopesText, shiftsText } from "./staff-words";

/** Levels a person is made responsible for; floors, elevators and capsules sit inside these. */
const SCOPE_LEVELS = ["street", "community", "compound", "building", "capsule"];

/**
 * One person (admins only): the sign-in link to hand them (with its QR code), their places, their
 * duty windows, their details, where they are signed in (each session can be ended), and
 * deactivating or restoring them.
 */
export class SwStaffDetail extends SwElement {
  static override properties = {
    params: { attribute: false },
    person: { state: true },
    sessions: { state: true },
    places: { state: true },
    scopeDraft: { state: true },
    shiftDraft: { state: true },
    link: { state: true },
    placeSearch: { state: true },
    failure: { state: true },
    actionFailure: { state: true },
    saved: { state: true },
    busy: { state: true },
  };
  params: Record<string, string> = {};
  person: StaffView | null = null;
  sessions: SessionRow[] = [];
  places: PlaceRow[] = [];
  scopeDraft = new Set<string>();
  shiftDraft: Shift[] = [];
  link: SignInLink | null = null;
  placeSearch = "";
  failure: unknown = null;
  actionFailure: unknown = null;
  /** Which section just saved, said once in its own status line. */
  saved = "";
  busy = false;

  private get personId(): number {
    return Number(this.params.id);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [staff, sessions, places] = await Promise.all([staffApi.list(), staffApi.sessions(), api.places()]);
      const person = staff.staff.find((p) => p.id === this.personId);
      if (!person) throw new Error(t("staff.notFound"));
      this.take(person);
      this.sessions = sessions.sessions.filter((s) => s.staffId === this.personId);
      this.places = places.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private take(person: StaffView): void {
    this.person = person;
    this.scopeDraft = new Set(person.scopes);
    this.shiftDraft = person.shifts.map((s) => ({ ...s, days: [...s.days] }));
  }

  /** Runs one change; `section` names the status line that says it is saved. */
  private async run(section: string, work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.actionFailure = null;
    this.saved = "";
    try {
      await work();
      this.saved = section;
    } catch (error) {
      this.actionFailure = error;
    } finally {
      this.busy = false;
    }
  }

  private issueLink(): Promise<void> {
    return this.run("link", async () => {
      this.link = await staffApi.signInLink(this.personId);
    });
  }

  private saveScopes(): Promise<void> {
    return this.run("scopes", async () => this.take((await staffApi.setScopes(this.personId, [...this.scopeDraft])).staff));
  }

  private saveShifts(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!(event.target as HTMLFormElement).reportValidity()) return Promise.resolve();
    return this.run("shifts", async () => this.take((await staffApi.setShifts(this.personId, this.shiftDraft)).staff));
  }

  private saveDetails(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    if (!form.reportValidity()) return Promise.resolve();
    const data = new FormData(form);
    const phone = String(data.get("phone") ?? "").trim();
    const change: Parameters<typeof staffApi.update>[1] = { name: String(data.get("name") ?? "").trim(), role: String(data.get("role")) as StaffRole };
    if (phone) change.phone = phone;
    else if (data.get("removePhone")) change.phone = null;
    return this.run("details", async () => this.take((await staffApi.update(this.personId, change)).staff));
  }

  private async setActive(active: boolean): Promise<void> {
    const name = this.person!.name;
    const answer = await confirmDialog({
      title: t(active ? "staff.restoreTitle" : "staff.deactivateTitle", { name }),
      body: t(active ? "staff.restoreBody" : "staff.deactivateBody", { name }),
      confirmLabel: t(active ? "staff.restore" : "staff.deactivate"),
    });
    if (answer.confirmed) await this.run("active", async () => this.take((await staffApi.update(this.personId, { active })).staff));
  }

  private async endSessions(sessions: SessionRow[]): Promise<void> {
    const answer = await confirmDialog({
      title: t(sessions.length > 1 ? "staff.endAllTitle" : "staff.endOneTitle", { name: this.person!.name }),
      body: t("staff.endBody"),
      confirmLabel: t("staff.endConfirm"),
    });
    if (!answer.confirmed) return;
    await this.run("sessions", async () => {
      for (const session of sessions) await staffApi.revokeSession(session.id);
      this.sessions = (await staffApi.sessions()).sessions.filter((s) => s.staffId === this.personId);
    });
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/staff")}>← ${t("staff.back")}</a></p>`;
    if (this.failure) return html`${back}${errorMessage(this.failure)}`;
    if (!this.person) return html`${back}<p class="empty">${t("app.loading")}</p>`;
    const p = this.person;
    return html`<article class="staff-detail" aria-labelledby="person-title">
      ${back}
      <div class="card person-head">
        <div class="row"><h1 id="person-title">${p.name}</h1><span>${tCode("role", p.role)}</span>${p.active ? nothing : html`<span class="badge sev-warning">${t("staff.deactivated")}</span>`}</div>
        <p>${t("staff.placesLine", { places: scopesText(p.scopes, this.places) })}</p>
        <p>${t("staff.dutyLine", { duty: shiftsText(p.shifts) })}</p>
        ${errorMessage(this.actionFailure)}
      </div>
      ${this.renderLink(p)} ${this.renderSessions()} ${this.renderScopes()} ${this.renderShifts()} ${this.renderDetails(p)} ${this.renderActive(p)}
    </article>`;
  }

  private savedLine(section: string) {
    return html`<p role="status" class="good" data-saved=${section}>${this.saved === section ? t("staff.saved") : nothing}</p>`;
  }

  private renderLink(p: StaffView) {
    const link = this.link;
    return html`<section class="card" aria-labelledby="link-title">
      <h2 id="link-title">${t("staff.linkTitle")}</h2>
      <p>${t("staff.linkHelp", { name: p.name })}</p>
      <div class="actions"><button class="btn btn-primary" type="button" data-action="issue-link" ?disabled=${this.busy || !p.active} @click=${() => void this.issueLink()}>${t(link ? "staff.linkAgain" : "staff.linkIssue")}</button></div>
      ${p.active ? nothing : html`<p class="muted">${t("staff.linkInactive")}</p>`}
      ${link
        ? html`<div class="signin-link" data-signin-link>
            <img class="qr" src=${`data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qrSvg)}`} alt=${t("staff.linkQrAlt", { name: link.name })} width="240" height="240" />
            <label for="signin-url">${t("staff.linkUrl")}</label>
            <input id="signin-url" readonly .value=${link.url} data-signin-url @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
            <p class="muted">${t("staff.linkExpires", { when: dateTime(link.expiresAt) })}</p>
            <div class="actions"><button class="btn" type="button" @click=${() => void navigator.clipboard?.writeText(link.url).catch(() => {})}>${t("staff.linkCopy")}</button></div>
          </div>`
        : nothing}
    </section>`;
  }

  private renderSessions() {
    return html`<section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">${t("staff.sessionsTitle")}</h2>
      ${this.sessions.length ? nothing : html`<p class="muted" data-no-sessions>${t("staff.noSessions")}</p>`}
      <ul class="list">
        ${this.sessions.map(
          (s) => html`<li class="supply" data-session=${s.id}>
            <span class="supply-main">${t("staff.sessionLine", { since: dateTime(s.createdAt), until: dateTime(s.expiresAt) })}</span>
            <button class="btn" type="button" ?disabled=${this.busy} @click=${() => void this.endSessions([s])}>${t("staff.endOne")}</button>
          </li>`,
        )}
      </ul>
      ${this.sessions.length > 1 ? html`<div class="actions"><button class="btn" type="button" ?disabled=${this.busy} @click=${() => void this.endSessions(this.sessions)}>${t("staff.endAll")}</button></div>` : nothing}
      ${this.savedLine("sessions")}
    </section>`;
  }

  private renderScopes() {
    const needle = this.placeSearch.trim().toLowerCase();
    const offered = this.places.filter((pl) => SCOPE_LEVELS.includes(pl.level) && (!needle || placeTrail(pl, this.places, 6).toLowerCase().includes(needle) || this.scopeDraft.has(pl.id)));
    const toggle = (id: string, on: boolean) => {
      const next = new Set(this.scopeDraft);
      if (on) next.add(id);
      else next.delete(id);
      this.scopeDraft = next;
    };
    return html`<section class="card" aria-labelledby="scopes-title">
      <h2 id="scopes-title">${t("staff.scopesTitle")}</h2>
      <p class="muted">${t("staff.scopesHelp")}</p>
      <label for="scope-search">${t("staff.scopesSearch")}</label>
      <input id="scope-search" type="search" autocomplete="off" .value=${this.placeSearch} @input=${(e: Event) => (this.placeSearch = (e.target as HTMLInputElement).value)} />
      <fieldset class="scope-list">
        <legend>${t("staff.scopesLegend")}</legend>
        ${offered.map(
          (pl) => html`<label class="check" style="padding-left:${(pl.path.split("/").filter(Boolean).length - 1) * 16}px">
            <input type="checkbox" value=${pl.id} .checked=${this.scopeDraft.has(pl.id)} @change=${(e: Event) => toggle(pl.id, (e.target as HTMLInputElement).checked)} />
            <span>${pl.name} <span class="muted">${tCode("level", pl.level)}</span></span>
          </label>`,
        )}
      </fieldset>
      <div class="actions"><button class="btn btn-primary" type="button" data-action="save-scopes" ?disabled=${this.busy} @click=${() => void this.saveScopes()}>${t("staff.save")}</button></div>
      ${this.savedLine("scopes")}
    </section>`;
  }

  private renderShifts() {
    const change = (i: number, patch: Partial<Shift>) => (this.shiftDraft = this.shiftDraft.map((s, j) => (j === i ? { ...s, ...patch } : s)));
    const toggleDay = (i: number, day: Shift["days"][number], on: boolean) => {
      const days = new Set(this.shiftDraft[i].days);
      if (on) days.add(day);
      else days.delete(day);
      change(i, { days: DAYS.filter((d) => days.has(d)) });
    };
    return html`<section class="card" aria-labelledby="shifts-title">
      <h2 id="shifts-title">${t("staff.shiftsTitle")}</h2>
      <p class="muted">${t("staff.shiftsHelp")}</p>
      <form @submit=${(e: SubmitEvent) => void this.saveShifts(e)}>
        ${this.shiftDraft.map(
          (s, i) => html`<fieldset class="shift" data-shift=${i}>
            <legend>${t("staff.shiftN", { n: i + 1 })}</legend>
            <div class="day-boxes">
              ${DAYS.map(
                (d, k) => html`<label class="check day"><input type="checkbox" .checked=${s.days.includes(d)} ?required=${!s.days.length && k === 0}
                  @change=${(e: Event) => toggleDay(i, d, (e.target as HTMLInputElement).checked)} />${t(DAY_WORDS[d])}</label>`,
              )}
            </div>
            <div class="time-pair">
              <div><label for="shift-start-${i}">${t("staff.shiftStart")}</label>
                <input id="shift-start-${i}" type="time" required .value=${s.start} @change=${(e: Event) => change(i, { start: (e.target as HTMLInputElement).value })} /></div>
              <div><label for="shift-end-${i}">${t("staff.shiftEnd")}</label>
                <input id="shift-end-${i}" type="time" required .value=${s.end} @change=${(e: Event) => change(i, { end: (e.target as HTMLInputElement).value })} /></div>
            </div>
            <div class="actions"><button class="btn" type="button" @click=${() => (this.shiftDraft = this.shiftDraft.filter((_, j) => j !== i))}>${t("staff.shiftRemove")}</button></div>
          </fieldset>`,
        )}
        <div class="actions">
          <button class="btn" type="button" data-action="add-shift"
            @click=${() => (this.shiftDraft = [...this.shiftDraft, { days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "18:00" }])}>${t("staff.shiftAdd")}</button>
          <button class="btn btn-primary" type="submit" data-action="save-shifts" ?disabled=${this.busy}>${t("staff.save")}</button>
        </div>
      </form>
      ${this.savedLine("shifts")}
    </section>`;
  }

  private renderDetails(p: StaffView) {
    return html`<section class="card" aria-labelledby="details-title">
      <h2 id="details-title">${t("staff.detailsTitle")}</h2>
      <form @submit=${(e: SubmitEvent) => void this.saveDetails(e)}>
        <label for="detail-name">${t("staff.field.name")}</label>
        <input id="detail-name" name="name" required maxlength="100" autocomplete="off" .value=${p.name} />
        <label for="detail-role">${t("staff.field.role")}</label>
        <select id="detail-role" name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${r === p.role}>${t(ROLE_WORDS[r])}</option>`)}</select>
        <label for="detail-phone">${t(p.hasPhone ? "staff.field.newPhone" : "staff.field.phone")}</label>
        <input id="detail-phone" name="phone" type="tel" inputmode="tel" pattern=${PHONE_PATTERN} autocomplete="off" aria-describedby="detail-phone-help" />
        <p class="muted" id="detail-phone-help">${t(p.hasPhone ? "staff.field.phoneKept" : "staff.field.phoneHelp")}</p>
        ${p.hasPhone ? html`<label class="check"><input type="checkbox" name="removePhone" value="1" />${t("staff.field.removePhone")}</label>` : nothing}
        <div class="actions"><button class="btn btn-primary" type="submit" data-action="save-details" ?disabled=${this.busy}>${t("staff.save")}</button></div>
      </form>
      ${this.savedLine("details")}
    </section>`;
  }

  private renderActive(p: StaffView) {
    return html`<section class="card" aria-labelledby="active-title">
      <h2 id="active-title">${t(p.active ? "staff.deactivateTitleShort" : "staff.restoreTitleShort")}</h2>
      <p>${t(p.active ? "staff.deactivateHelp" : "staff.restoreHelp")}</p>
      <div class="actions"><button class="btn" type="button" data-action=${p.active ? "deactivate" : "restore"} ?disabled=${this.busy} @click=${() => void this.setActive(!p.active)}>${t(p.active ? "staff.deactivate" : "staff.restore")}</button></div>
      ${this.savedLine("active")}
    </section>`;
  }
}
customElements.define("sw-staff-detail", SwStaffDetail);
registerView({ pattern: "/staff/:id", tag: "sw-staff-detail", adminOnly: true });
