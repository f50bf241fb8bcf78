import QRCode from "qrcode";
import type { Placard } from "./placards";

export type PaperSize = "A4" | "A5";

/** Where a placard's QR code leads: the resident page for that placard's place. */
export function placardUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/r/${code}`;
}

/**
 * Printable placards, one per page, as an HTML document any browser prints to A4 or A5: the words
 * residents see are the community's own ("隐患随手拍"), large, with the QR code filling the middle.
 * The QR code is an inline SVG (qrcode), so the sheet needs no network and prints sharp.
 */
export async function placardSheet(placards: readonly Placard[], options: { baseUrl: string; size: PaperSize }): Promise<string> {
  const pages = await Promise.all(
    placards.map(async (placard) => {
      const url = placardUrl(options.baseUrl, placard.code);
      // Level M (15 % recovery) keeps the code coarse enough for an old phone at arm's length.
      const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      return `<section class="placard" data-place="${escape(placard.placeId)}">
  <h1>隐患随手拍</h1>
  <p class="lead">发现消防安全隐患？扫一扫，马上告诉社区</p>
  <p class="place">${placard.pathNames.map(escape).join(" · ")}</p>
  <div class="qr" data-url="${escape(url)}">${svg}</div>
  <ol>
    <li>用微信或手机相机扫上面的二维码</li>
    <li>拍张照片，点选是什么隐患，写一两句</li>
    <li>提交后，凭页面上的查询链接看处理进度</li>
  </ol>
  <p class="urgent">着火、有人被困：立即拨打 <b>119</b></p>
  <p class="en">See a fire hazard? Scan to tell the community office. Fire or someone trapped: call 119.</p>
  <p class="url">${escape(url)}</p>
</section>`;
    }),
  );
  const scale = options.size === "A4" ? 1 : 0.72;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>隐患随手拍 二维码张贴 (${placards.length})</title>
<style>
@page { size: ${options.size}; margin: 12mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; color: #111; }
.placard { page-break-after: always; break-after: page; text-align: center; padding: ${8 * scale}mm ${6 * scale}mm; border: 3px solid #b3261e; border-radius: 6mm; }
.placard:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: ${30 * scale}pt; margin: 0; color: #b3261e; letter-spacing: 0.1em; }
.lead { font-size: ${16 * scale}pt; margin: ${3 * scale}mm 0; }
.place { font-size: ${15 * scale}pt; font-weight: 700; margin: ${2 * scale}mm 0 ${4 * scale}mm; }
.qr svg { width: ${110 * scale}mm; height: ${110 * scale}mm; }
ol { text-align: left; font-size: ${13 * scale}pt; line-height: 1.6; margin: ${4 * scale}mm auto; max-width: ${150 * scale}mm; }
.urgent { font-size: ${15 * scale}pt; color: #b3261e; margin: ${3 * scale}mm 0; }
.en { font-size: ${10 * scale}pt; color: #333; }
.url { font-size: ${8 * scale}pt; color: #555; word-break: break-all; }
</style></head>
<body>
${pages.join("\n")}
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
