import { textBytes } from "../ota/text-bytes";
import { ImprovCommand, ImprovError, ImprovState } from "./improv-protocol";
import type { ImprovReporter, WifiSetup } from "./wifi-setup";

/** What the portal's page polls: where setup stands, in the words the page shows. */
export interface PortalStatus {
  state: "ready" | "trying" | "joined" | "failed";
  /** The setup's reason after a failure ("wrong-password", "no-network", "timeout", "bad-password", …). */
  reason: string;
}

/**
 * The fallback where a phone has no Bluetooth (or its browser no Web Bluetooth): the node opens its
 * own access point and serves one small page, in Chinese with English beside it, that takes the
 * network's name and password into the same setup as Improv. The HTTP server is the platform's.
 */
export class SetupPortal implements ImprovReporter {
  #setup: WifiSetup;
  #failed = false;

  constructor(setup: WifiSetup) {
    this.#setup = setup;
    setup.attach(this);
  }

  /** A form post (`application/x-www-form-urlencoded`) with `ssid` and `password`. */
  submit(body: string): PortalStatus {
    const fields = parseForm(body);
    const ssid = textBytes(fields.ssid ?? "");
    const password = textBytes(fields.password ?? "");
    if (ssid.length > 255 || password.length > 255) return this.#fail();
    const data = new Uint8Array(2 + ssid.length + password.length);
    data[0] = ssid.length;
    data.set(ssid, 1);
    data[1 + ssid.length] = password.length;
    data.set(password, 2 + ssid.length);
    this.#failed = false;
    this.#setup.handle(ImprovCommand.wifiSettings, data, this);
    return this.status();
  }

  status(): PortalStatus {
    const state = this.#setup.state;
    if (state === ImprovState.provisioning) return { state: "trying", reason: "" };
    if (state === ImprovState.provisioned) return { state: "joined", reason: "" };
    return { state: this.#failed ? "failed" : "ready", reason: this.#failed ? this.#setup.status || "unknown" : "" };
  }

  state(): void {}

  error(error: number): void {
    if (error !== ImprovError.none) this.#failed = true;
  }

  result(): void {}

  #fail(): PortalStatus {
    this.#failed = true;
    return this.status();
  }
}

function parseForm(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of body.split("&")) {
    const equals = pair.indexOf("=");
    if (equals <= 0) continue;
    try {
      fields[decodeURIComponent(pair.slice(0, equals).replace(/\+/g, " "))] = decodeURIComponent(pair.slice(equals + 1).replace(/\+/g, " "));
    } catch {
      // A malformed escape leaves the field out; the setup then names the missing value.
    }
  }
  return fields;
}

/** The page: one form and a status line the script fills in, readable on a small phone with no internet. */
export const PORTAL_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>守望 设备联网 · Node Wi-Fi setup</title><style>body{font:18px/1.5 sans-serif;margin:0;padding:16px;color:#1a1a1a;background:#fff}h1{font-size:22px}
label{display:block;margin-top:16px;font-weight:600}input{width:100%;box-sizing:border-box;font-size:18px;padding:12px;border:2px solid #555;border-radius:6px}
button{margin-top:20px;width:100%;min-height:48px;font-size:20px;background:#b3261e;color:#fff;border:0;border-radius:6px}small{color:#444}#s{margin-top:16px;font-weight:600}</style></head>
<body><h1>设备联网 <small>Wi-Fi setup</small></h1><p>请填写本处的无线网络名称和密码。<br><small>Enter this site's Wi-Fi name and password.</small></p>
<form id="f"><label for="n">网络名称 <small>Network name</small></label><input id="n" name="ssid" required maxlength="32" autocomplete="off">
<label for="p">密码 <small>Password</small></label><input id="p" name="password" type="password" maxlength="64" autocomplete="off">
<button>连接 · Connect</button></form><p id="s" role="status"></p>
<script>var W={ready:"",trying:"正在连接… Connecting…",joined:"已连上网络，设备将自动注册。可以关闭本页。 Connected; the node registers itself. You may close this page.",
failed:"没有连上 Not connected: "},R={"wrong-password":"密码不对 wrong password","no-network":"找不到这个网络 network not found","timeout":"网络没有回应 no answer from the network",
"bad-password":"密码长度应为 8–63 位 password must be 8–63 characters","bad-ssid":"网络名称太长或为空 name empty or too long","busy":"正在连接上一个网络 still trying the last one"};
function show(s){document.getElementById("s").textContent=W[s.state]+(s.state==="failed"?(R[s.reason]||s.reason):"");if(s.state==="trying")setTimeout(poll,1500)}
function poll(){fetch("/status").then(function(r){return r.json()}).then(show)}
document.getElementById("f").onsubmit=function(e){e.preventDefault();fetch("/join",{method:"POST",headers:{"Content-Type":"application/x-www-form-urlencoded"},body:new URLSearchParams(new FormData(this)).toString()}).then(function(r){return r.json()}).then(show)}</script></body></html>`;
