import { CATEGORY_WORDS, REPORT_CATEGORIES } from "../reports/categories";

/**
 * What the resident page says, Chinese first with English beside it, in the words of the
 * "隐患随手拍" campaigns (../shared/GLOSSARY.md). One table, so a missing translation shows in the
 * test that walks it (tests/cloud/resident-page.test.ts).
 */
export const WORDS = {
  title: { zh: "隐患随手拍", en: "Report a hazard" },
  lead: { zh: "看到消防安全隐患，拍下来告诉社区。不用登录，也不会留下您的姓名。", en: "Saw a fire hazard? Photograph it and tell the community office. No sign-in; your name is not asked." },
  urgent: { zh: "着火、冒烟、有人被困：立即拨打 119", en: "Fire, smoke or someone trapped: call 119 now" },
  photo: { zh: "照片", en: "Photo" },
  takePhoto: { zh: "拍照", en: "Take a photo" },
  choosePhoto: { zh: "从相册选", en: "Choose a photo" },
  photoOptional: { zh: "有照片更好，没有也可以提交", en: "A photo helps, but you can send without one" },
  what: { zh: "是什么隐患？（点选一项）", en: "What is it? (tap one)" },
  details: { zh: "补充说明（可选）", en: "Anything to add (optional)" },
  detailsHint: { zh: "例如：3单元一楼楼梯口，两辆电动车在充电", en: "e.g. entrance 3, ground-floor stairs, two e-bikes charging" },
  location: { zh: "附上我现在的位置（可选）", en: "Add my current location (optional)" },
  send: { zh: "提交", en: "Send" },
  sending: { zh: "正在提交…", en: "Sending…" },
  shrinking: { zh: "正在压缩照片…", en: "Making the photo smaller…" },
  needChoice: { zh: "请点选是什么隐患，或写一两句说明。", en: "Tap what it is, or write a few words." },
  failed: { zh: "没有提交成功：", en: "Not sent: " },
  offline: { zh: "网络不通，请稍后再试。", en: "No connection; try again in a moment." },
  sent: { zh: "已提交，社区已收到。", en: "Sent: the community office has it." },
  keepLink: { zh: "请保存下面的链接，随时查看处理进度：", en: "Keep this link to see what happens next:" },
  copy: { zh: "复制链接", en: "Copy link" },
  copied: { zh: "已复制", en: "Copied" },
  viewStatus: { zh: "查看处理进度", en: "See progress" },
  unknownPlacard: { zh: "这个二维码已停用，请扫描附近其他张贴的二维码，或联系社区。", en: "This QR code is no longer in use; scan another placard nearby or contact the community office." },
  statusTitle: { zh: "处理进度", en: "Progress" },
  statusMissing: { zh: "找不到这条上报。请从提交后保存的链接打开本页。", en: "No report found. Open this page from the link you kept after sending." },
  stepFound: { zh: "发现", en: "Found" },
  stepRecorded: { zh: "记录", en: "Recorded" },
  stepFixed: { zh: "整改", en: "Fixed" },
  stepRechecked: { zh: "回头看（复查）", en: "Re-checked" },
  waiting: { zh: "等待中", en: "Waiting" },
  recheckDue: { zh: "计划复查时间", en: "Re-check planned" },
  reopened: { zh: "复查发现隐患仍在，已重新处理", en: "The re-check found the hazard still there; it is being handled again" },
  reportedPlace: { zh: "地点", en: "Place" },
  reportedWhat: { zh: "内容", en: "Report" },
  hasPhoto: { zh: "附有照片", en: "With a photo" },
  refresh: { zh: "刷新", en: "Refresh" },
  ...Object.fromEntries(REPORT_CATEGORIES.map((c) => [`category.${c}`, CATEGORY_WORDS[c]])),
} as const satisfies Record<string, { zh: string; en: string }>;

export type WordKey = keyof typeof WORDS;
