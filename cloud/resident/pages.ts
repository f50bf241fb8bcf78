import { html, raw } from "hono/html";
import { REPORT_CATEGORIES } from "../reports/categories";
import { WORDS, type WordKey } from "./words";

/** Chinese first, English beside it, smaller: the page's one way of saying anything. */
const say = (key: WordKey) => html`${WORDS[key].zh}<span class="en" lang="en">${WORDS[key].en}</span>`;

/**
 * Phone first: 18 px text, 52 px buttons, contrast above WCAG AA, nothing wider than the screen.
 * Plain selectors only (no :has), for the older WebViews inside WeChat.
 */
const STYLE = raw(`<style>
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:18px/1.55 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#1b1b1b;background:#f6f6f4}
main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:28px;margin:8px 0 4px;color:#a1221b}h2{font-size:20px;margin:20px 0 8px}
.en{display:block;font-size:14px;color:#4a4a4a;font-weight:400}
.place{font-size:20px;font-weight:700;margin:4px 0 12px}
.urgent{background:#a1221b;color:#fff;padding:12px;border-radius:8px;font-weight:700}.urgent .en{color:#fff}
.card{background:#fff;border-radius:10px;padding:14px;margin:14px 0;border:1px solid #d6d6d0}
.row{display:flex;gap:10px;flex-wrap:wrap}
.btn{display:flex;flex-direction:column;justify-content:center;align-items:center;min-height:52px;padding:8px 14px;border-radius:8px;border:2px solid #1d4f91;background:#fff;color:#1d4f91;font-size:18px;font-weight:700;cursor:pointer;flex:1 1 140px;text-align:center}
.btn .en{color:inherit;font-size:13px}
.primary{background:#a1221b;border-color:#a1221b;color:#fff;width:100%;min-height:60px;font-size:22px}
.choices{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.choices label{display:block;position:relative;cursor:pointer}
.choices input{position:absolute;opacity:0;width:1px;height:1px}
.choices .box{display:flex;flex-direction:column;justify-content:center;min-height:64px;height:100%;padding:8px 10px;border:2px solid #8a8a84;border-radius:8px;background:#fff;font-weight:700}
.choices input:checked+.box{background:#1d4f91;border-color:#1d4f91;color:#fff}.choices input:checked+.box .en{color:#fff}
.choices input:focus+.box{outline:3px solid #f5a623}
textarea{width:100%;min-height:96px;font:inherit;padding:10px;border:2px solid #8a8a84;border-radius:8px}
.check{display:flex;gap:10px;align-items:center;min-height:48px}.check input{width:26px;height:26px}
img.preview{max-width:100%;max-height:240px;border-radius:8px;margin-top:10px;display:none}
progress{width:100%;height:18px;margin-top:10px}
.msg{font-weight:700;margin-top:10px}.bad{color:#a1221b}.good{color:#1b6b2b}
.link{word-break:break-all;background:#f0f0ea;padding:10px;border-radius:6px;font-size:16px}
ol.steps{list-style:none;padding:0;margin:0}ol.steps li{display:flex;gap:12px;padding:12px 0;border-bottom:1px solid #e1e1da}
ol.steps .dot{flex:0 0 34px;height:34px;border-radius:50%;border:3px solid #8a8a84;display:flex;align-items:center;justify-content:center;font-weight:700}
ol.steps li.done .dot{background:#1b6b2b;border-color:#1b6b2b;color:#fff}
ol.steps .when{color:#3d3d3d;font-size:16px}
</style>`);

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width,initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title}</title>
    ${STYLE}
  </head>
  <body>
    <main>${body}</main>
  </body>
</html>`;
}

/** The report form for one placard's place. */
export function reportPage(placard: string, placeName: string, nonce: string) {
  const words = Object.fromEntries(Object.entries(WORDS).map(([k, v]) => [k, `${v.zh} ${v.en}`]));
  return page(
    `${WORDS.title.zh} · ${placeName}`,
    html`<h1>${say("title")}</h1>
      <p class="place" id="place">${placeName}</p>
      <p>${say("lead")}</p>
      <p class="urgent" role="note">${say("urgent")}</p>
      <form id="report" class="card" novalidate>
        <input type="hidden" name="placard" value="${placard}" />
        <h2>${say("photo")}</h2>
        <div class="row">
          <label class="btn" for="camera">${say("takePhoto")}</label>
          <label class="btn" for="album">${say("choosePhoto")}</label>
        </div>
        <input id="camera" type="file" accept="image/*" capture="environment" hidden />
        <input id="album" type="file" accept="image/*" hidden />
        <img id="preview" class="preview" alt="" />
        <p class="en">${WORDS.photoOptional.zh} · ${WORDS.photoOptional.en}</p>
        <h2 id="what">${say("what")}</h2>
        <div class="choices" role="radiogroup" aria-labelledby="what">
          ${REPORT_CATEGORIES.map((c) => html`<label><input type="radio" name="category" value="${c}" /><span class="box">${say(`category.${c}` as WordKey)}</span></label>`)}
        </div>
        <h2><label for="description">${say("details")}</label></h2>
        <textarea id="description" name="description" maxlength="2000" placeholder="${WORDS.detailsHint.zh}"></textarea>
        <label class="check"><input id="share-location" type="checkbox" /> <span>${say("location")}</span></label>
        <button class="btn primary" id="send" type="submit">${say("send")}</button>
        <progress id="progress" max="100" value="0" hidden></progress>
        <p id="message" class="msg" role="status" aria-live="polite"></p>
      </form>
      <section id="done" class="card" hidden>
        <p class="msg good">${say("sent")}</p>
        <p>${say("keepLink")}</p>
        <p class="link" id="status-link"></p>
        <div class="row">
          <button class="btn" id="copy" type="button">${say("copy")}</button>
          <a class="btn" id="open-status" href="#">${say("viewStatus")}</a>
        </div>
      </section>
      <script nonce="${nonce}">
        ${raw(`var WORDS=${JSON.stringify(words).replace(/</g, "\\u003c")};`)}
        ${raw(REPORT_SCRIPT)}
      </script>`,
  );
}

/** A placard whose code is unknown or retired. */
export function unknownPlacardPage() {
  return page(WORDS.title.zh, html`<h1>${say("title")}</h1><p class="card">${say("unknownPlacard")}</p><p class="urgent">${say("urgent")}</p>`);
}

/** Where a report stands, by the token in the address's fragment (never sent to the server's logs). */
export function statusPage(nonce: string) {
  const words = Object.fromEntries(Object.entries(WORDS).map(([k, v]) => [k, { zh: v.zh, en: v.en }]));
  return page(
    `${WORDS.statusTitle.zh} · ${WORDS.title.zh}`,
    html`<h1>${say("statusTitle")}</h1>
      <section class="card" id="report" hidden>
        <p><b>${say("reportedPlace")}</b><span id="place"></span></p>
        <p><b>${say("reportedWhat")}</b><span id="what"></span></p>
      </section>
      <ol class="steps card" id="steps" hidden></ol>
      <p id="message" class="msg" role="status" aria-live="polite"></p>
      <button class="btn" id="refresh" type="button">${say("refresh")}</button>
      <p class="urgent" role="note">${say("urgent")}</p>
      <script nonce="${nonce}">
        ${raw(`var WORDS=${JSON.stringify(words).replace(/</g, "\\u003c")};`)}
        ${raw(STATUS_SCRIPT)}
      </script>`,
  );
}

/**
 * Plain ES2017 in the page itself: WeChat's in-app browser and old phones run it, and the page
 * works with nothing else loaded. The photo is shrunk on the phone (longest side 1600 px, JPEG)
 * by drawing it to a canvas, which also leaves the camera's EXIF behind.
 */
const REPORT_SCRIPT = `
(function(){
  var form=document.getElementById('report'),msg=document.getElementById('message'),bar=document.getElementById('progress');
  var photo=null,lat=null,lon=null;
  function say(text,bad){msg.textContent=text;msg.className='msg'+(bad?' bad':'');}
  function shrink(file){return new Promise(function(resolve){
    var url=URL.createObjectURL(file),img=new Image();
    img.onload=function(){var max=1600,w=img.naturalWidth,h=img.naturalHeight,s=Math.min(1,max/Math.max(w,h));
      var c=document.createElement('canvas');c.width=Math.round(w*s);c.height=Math.round(h*s);
      c.getContext('2d').drawImage(img,0,0,c.width,c.height);URL.revokeObjectURL(url);
      if(c.toBlob)c.toBlob(function(b){resolve(b||file);},'image/jpeg',0.82);else resolve(file);};
    img.onerror=function(){URL.revokeObjectURL(url);resolve(file);};img.src=url;});}
  function picked(e){var file=e.target.files&&e.target.files[0];if(!file)return;say(WORDS.shrinking);
    shrink(file).then(function(b){photo=b;var p=document.getElementById('preview');p.src=URL.createObjectURL(b);p.style.display='block';say('');});}
  document.getElementById('camera').addEventListener('change',picked);
  document.getElementById('album').addEventListener('change',picked);
  document.getElementById('share-location').addEventListener('change',function(e){
    if(!e.target.checked){lat=lon=null;return;}
    if(!navigator.geolocation){e.target.checked=false;return;}
    navigator.geolocation.getCurrentPosition(function(p){lat=p.coords.latitude;lon=p.coords.longitude;},function(){e.target.checked=false;},{timeout:10000,maximumAge:60000});});
  form.addEventListener('submit',function(e){e.preventDefault();
    var data=new FormData(form),text=(data.get('description')||'').trim();
    if(!data.get('category')&&!text){say(WORDS.needChoice,true);return;}
    if(lat!==null){data.set('latitude',String(lat));data.set('longitude',String(lon));}
    if(photo)data.set('photo',photo,'photo.jpg');
    var xhr=new XMLHttpRequest();xhr.open('POST','/reports');
    document.getElementById('send').disabled=true;bar.hidden=false;bar.value=0;say(WORDS.sending);
    xhr.upload.onprogress=function(ev){if(ev.lengthComputable)bar.value=Math.round(ev.loaded*100/ev.total);};
    xhr.onload=function(){document.getElementById('send').disabled=false;var body={};try{body=JSON.parse(xhr.responseText);}catch(err){}
      if(xhr.status===202&&body.token){var link=location.origin+'/r/status#'+body.token;form.hidden=true;
        document.getElementById('done').hidden=false;document.getElementById('status-link').textContent=link;
        document.getElementById('open-status').href=link;try{localStorage.setItem('sw-last-report',body.token);}catch(err){}
        document.getElementById('copy').onclick=function(){if(navigator.clipboard)navigator.clipboard.writeText(link).then(function(){document.getElementById('copy').textContent=WORDS.copied;});};
        window.scrollTo(0,0);return;}
      bar.hidden=true;say(WORDS.failed+(body.message||xhr.status),true);};
    xhr.onerror=function(){document.getElementById('send').disabled=false;bar.hidden=true;say(WORDS.offline,true);};
    xhr.send(data);});
})();`;

const STATUS_SCRIPT = `
(function(){
  var msg=document.getElementById('message');
  var token=location.hash.slice(1);try{if(!token)token=localStorage.getItem('sw-last-report')||'';}catch(e){}
  function el(tag,cls,text){var n=document.createElement(tag);if(cls)n.className=cls;if(text)n.textContent=text;return n;}
  function two(w){var f=document.createDocumentFragment();f.appendChild(document.createTextNode(w.zh));var e=el('span','en',w.en);e.lang='en';f.appendChild(e);return f;}
  function when(iso){if(!iso)return null;var d=new Date(iso);function p(n){return (n<10?'0':'')+n;}
    return d.getFullYear()+'-'+p(d.getMonth()+1)+'-'+p(d.getDate())+' '+p(d.getHours())+':'+p(d.getMinutes());}
  function step(n,word,at,extra){var li=el('li',at?'done':'');li.appendChild(el('span','dot',String(n)));var d=el('div');
    d.appendChild(two(word));d.appendChild(el('div','when',at?when(at):(extra||WORDS.waiting.zh+' '+WORDS.waiting.en)));li.appendChild(d);return li;}
  function show(r){document.getElementById('report').hidden=false;document.getElementById('place').textContent=' '+r.place;
    var what=r.category&&WORDS['category.'+r.category]?WORDS['category.'+r.category].zh:'';
    document.getElementById('what').textContent=' '+[what,r.description!==what?r.description:''].filter(Boolean).join('：')+(r.photo?'（'+WORDS.hasPhoto.zh+'）':'');
    var s=r.steps,ol=document.getElementById('steps');ol.textContent='';ol.hidden=false;
    ol.appendChild(step(1,WORDS.stepFound,r.reportedAt));
    ol.appendChild(step(2,WORDS.stepRecorded,s.acknowledgedAt||s.dispatchedAt));
    ol.appendChild(step(3,WORDS.stepFixed,s.resolvedAt));
    ol.appendChild(step(4,WORDS.stepRechecked,r.status==='rechecked'?s.recheckedAt:null,s.recheckDueAt?WORDS.recheckDue.zh+' '+when(s.recheckDueAt):null));
    msg.textContent=r.status==='reopened'?WORDS.reopened.zh+' · '+WORDS.reopened.en:'';}
  function load(){if(!/^rp_[A-Za-z0-9_-]{32}$/.test(token)){msg.textContent=WORDS.statusMissing.zh+' '+WORDS.statusMissing.en;return;}
    fetch('/reports/'+token,{cache:'no-store'}).then(function(res){return res.json().then(function(b){return {ok:res.ok,b:b};});})
      .then(function(x){if(x.ok)show(x.b);else msg.textContent=x.b.message||WORDS.statusMissing.zh;},function(){msg.textContent=WORDS.offline.zh+' '+WORDS.offline.en;});}
  document.getElementById('refresh').onclick=load;load();setInterval(load,60000);
})();`;
