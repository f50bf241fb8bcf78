import { html, render, type TemplateResult } from "lit";
import { t } from "../i18n/i18n";

export interface ConfirmOptions {
  title: string;
  /** What will happen, in words. */
  body?: string | TemplateResult;
  confirmLabel: string;
  /** Asks for a note; `required` keeps the confirm button from submitting an empty one. */
  note?: { label: string; required: boolean };
  /** Extra fields (people to choose…) drawn inside the form; read them back with `read`. */
  fields?: TemplateResult;
}

export interface ConfirmResult {
  confirmed: boolean;
  note: string;
  form: FormData | null;
}

/**
 * Asks before doing something that cannot be undone, in a native modal <dialog> (focus is kept
 * inside, Esc cancels). Resolves once the person confirms or cancels.
 */
export function confirmDialog(options: ConfirmOptions): Promise<ConfirmResult> {
  const dialog = document.createElement("dialog");
  dialog.setAttribute("aria-labelledby", "sw-dialog-title");
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (result: ConfirmResult) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      if (!form.reportValidity()) return;
      const data = new FormData(form);
      finish({ confirmed: true, note: String(data.get("note") ?? "").trim(), form: data });
    };
    render(
      html`<form @submit=${submit} novalidate>
        <h2 id="sw-dialog-title">${options.title}</h2>
        ${options.body ? html`<div>${options.body}</div>` : ""} ${options.fields ?? ""}
        ${options.note
          ? html`<label for="sw-dialog-note">${options.note.label}</label>
              <textarea id="sw-dialog-note" name="note" ?required=${options.note.required}></textarea>`
          : ""}
        <div class="actions">
          <button type="button" class="btn" @click=${() => finish({ confirmed: false, note: "", form: null })}>${t("dialog.cancel")}</button>
          <button type="submit" class="btn btn-primary">${options.confirmLabel}</button>
        </div>
      </form>`,
      dialog,
    );
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish({ confirmed: false, note: "", form: null });
    });
    dialog.showModal();
  });
}
