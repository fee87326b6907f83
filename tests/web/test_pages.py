#!/usr/bin/python3
"""test_pages.py: ikiweb's pages in a real browser (headless Chromium through Selenium), against a
real ikid and a real ikiweb on ephemeral ports, with users made by `ikiweb user add`.

A clerk of Desa Aengsareh signs in on a phone-sized window and sends through the forms; the Camat
(a viewer) watches the dashboard in a second browser and sees the value change within 1 s without
reloading; the clerk's browser goes offline (page and service worker), captures 3 events, reloads,
comes back: all 3 delivered exactly once; an Excel-Indonesian CSV and an XLSX are uploaded; another
village's form is not offered and the API refuses it; a comment holding <script> shows as text.
ikid --verify is clean at the end and the values are checked with `iki query`.

Run from the top of the tree: IKI_BUILD=build /usr/bin/python3 tests/web/test_pages.py
SHOTS=DIR keeps the screenshots there (docs/screenshots/ holds the ones the README shows).
"""
import io
import json
import os
import re
import sys
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemons  # noqa: E402  (tests/web/daemons.py: ikid and ikiweb for the tests)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

AENGSAREH, MANDANGIN, KEC = "35.27.03.2002", "35.27.03.2001", "35.27.03"
CLERK = ("desa-aengsareh", "rahasia-aengsareh-1", "clerk", AENGSAREH, "Petugas Desa Aengsareh")
CAMAT = ("camat", "rahasia-camat-2022", "viewer", "-", "Camat Sampang")
GUEST = ("tamu", "rahasia-tamu-2022", "viewer", "-", "Tamu")
KEUANGAN = ("keuangan", "rahasia-keuangan-2022", "section", "keuangan", "Subbag Keuangan")
PHONE, DESKTOP = (360, 740), (1280, 900)
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def browser(size, mobile):
    o = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--lang=id-ID", "--disable-extensions", "--no-first-run"):
        o.add_argument(a)
    o.add_argument("--window-size=%d,%d" % size)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # on Linux Chromium takes its locale (the date field's dd/mm/yyyy) from LANGUAGE, not --lang
    env = dict(os.environ, LANGUAGE="id", LANG="id_ID.UTF-8", TZ="Asia/Jakarta")
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=o)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": mobile})
    d.set_script_timeout(20)
    return d


ROWS = "[...document.querySelectorAll('#upload-preview tbody tr')].map(r => r.textContent).join(' | ')"


def until(d, js, timeout=10.0, what=None, diag=None):
    """Poll a JS expression in the page until it is truthy; return it, or fail saying what
    (and what the JS expression diag shows then)."""
    end = time.monotonic() + timeout
    while True:
        try:
            v = d.execute_script("return (" + js + ")")
        except Exception:  # the page is navigating
            v = None
        if v:
            return v
        if time.monotonic() > end:
            seen = d.execute_script("return String(" + diag + ")") if diag else ""
            raise AssertionError("timed out (%.1f s) waiting for %s %s" % (timeout, what or js, seen))
        time.sleep(0.05)


def set_network(d, conditions):
    """Network emulation for the page and for its service worker (a target of its own)."""
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)
    for t in d.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]:
        if t["type"] != "service_worker":
            continue
        sid = d.execute_cdp_cmd("Target.attachToTarget", {"targetId": t["targetId"], "flatten": False})["sessionId"]
        for i, (m, p) in enumerate((("Network.enable", {}), ("Network.emulateNetworkConditions", conditions))):
            d.execute_cdp_cmd("Target.sendMessageToTarget", {
                "sessionId": sid, "message": json.dumps({"id": 9000 + i, "method": m, "params": p})})


def post_events(d, events):
    """POST /api/events from inside the page (its cookie and CSRF token); the parsed answer."""
    return d.execute_async_script("""
        const [events, done] = arguments;
        fetch('/api/me').then(r => r.json()).then(me => fetch('/api/events', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf},
            body: JSON.stringify({events})})).then(async r => done({status: r.status, body: await r.json()}),
            e => done({status: 0, body: String(e)}));""", events)


def xlsx(rows):
    """An .xlsx laid out as Excel writes one: shared strings, dates as serial numbers with a
    date style, numbers as numbers, deflated parts."""
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    def esc(s):
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (chr(65 + c), r)
            if isinstance(v, tuple):  # ("date", serial)
                cells.append('<c r="%s" s="1"><v>%d</v></c>' % (ref, v[1]))
            elif isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif v != "":
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, sst(v)))
        out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel,
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook %s xmlns:r="%s"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, rel),
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/styles" Target="styles.xml"/><Relationship Id="rId3" Type="%s/sharedStrings" Target="sharedStrings.xml"/></Relationships>' % (rel, rel, rel),
        "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet %s><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>' % ns,
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, "".join(out)),
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst %s count="%d" uniqueCount="%d">%s</sst>' % (
            ns, len(strings), len(strings), "".join("<si><t>%s</t></si>" % esc(s) for s in strings)),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


def serial(y, m, d):
    """Excel's serial day number of a date (1900 system)."""
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days


class Pages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t0 = time.monotonic()
        cls.env = daemons.Env()
        for u in (CLERK, CAMAT, GUEST, KEUANGAN):
            cls.env.user_add(*u)
        cls.env.start()
        cls.base = cls.env.url
        cls.shots = os.environ.get("SHOTS") or cls.env.dir
        cls.clerk = browser(PHONE, True)
        cls.downloads = os.path.join(cls.env.dir, "unduhan")
        os.mkdir(cls.downloads)
        cls.clerk.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": cls.downloads})
        cls.camat = browser(DESKTOP, False)

    @classmethod
    def tearDownClass(cls):
        for d in (getattr(cls, "clerk", None), getattr(cls, "camat", None)):
            if d:
                d.quit()
        cls.env.stop()
        sys.stderr.write("browser suite: %.1f s\n" % (time.monotonic() - cls.t0))

    def shot(self, d, name):
        path = os.path.join(self.shots, name)
        d.save_screenshot(path)
        return path

    def login(self, d, user, password, view):
        d.get(self.base + "/")
        until(d, "document.querySelector('#login-user') && !document.querySelector('#v-login').hidden"
              " || document.body.dataset.view !== 'start'", what="the sign-in form")
        if d.execute_script("return document.body.dataset.view") != "login":
            return
        d.find_element(By.ID, "login-user").send_keys(user)
        d.find_element(By.ID, "login-password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        until(d, "document.body.dataset.view === %s" % json.dumps(view), what="the %s view" % view)

    def form(self, d, element):
        """Open an element's form on the desk; returns the form."""
        until(d, "document.querySelector('#f-%s')" % element, what="the form of " + element)
        d.execute_script("document.querySelector('details[data-element=%s]').open = true;"
                         "document.querySelector('#t-isi').hidden = false" % element)
        return d.find_element(By.ID, "f-" + element)

    def fill(self, d, element, date, value=None, comment=None, case=None, op=None, submit=True):
        f = self.form(d, element)
        d.execute_script("const e = arguments[0].elements.date; e.value = arguments[1];"
                         "e.dispatchEvent(new Event('change'))", f, date)
        if value is not None:
            box = f.find_element(By.NAME, "value")
            box.clear()
            box.send_keys(value)
        if case is not None:
            f.find_element(By.NAME, "case").send_keys(case)
            f.find_element(By.CSS_SELECTOR, "input[name=op][value=%s]" % op).click()
        if comment is not None:
            f.find_element(By.NAME, "comment").send_keys(comment)
        if submit:
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", f.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        return f

    def result(self, d, element, status, timeout=10):
        return until(d, "(() => { const r = document.querySelector('#f-%s .result');"
                        " return r && r.dataset.status === '%s' && r.textContent; })()" % (element, status),
                     timeout, "form %s to say %s" % (element, status))

    def tab(self, d, name):
        d.execute_script("scrollTo(0, 0)")
        d.find_element(By.CSS_SELECTOR, ".tabs button[data-tab=%s]" % name).click()

    def pending(self, d):
        return int(d.execute_script("return document.querySelector('#pending').dataset.count"))

    def dash(self, d, kind, year, part, orgunit):
        """Choose the dashboard's period and org unit as a person would, through the controls."""
        d.get(self.base + "/#dasbor")
        until(d, "document.querySelector('#dash-controls')", what="the dashboard")
        d.execute_script("""
            const [kind, year, part, org] = arguments;
            const f = () => document.querySelector('#dash-controls');
            const pick = (name, v) => { const e = f().elements[name]; e.value = v;
                e.dispatchEvent(new Event('change', {bubbles: true})); };
            const k = f().querySelector('input[name=kind][value=' + kind + ']');
            k.checked = true; k.dispatchEvent(new Event('change', {bubbles: true}));
            pick('year', year);
            if (kind === 'M') pick('month', part);
            if (kind === 'Q') pick('q', part);
            pick('orgunit', org);""", kind, str(year), str(part), orgunit)
        until(d, "document.querySelector('#dash-live.on')", what="the live stream",
              diag="location.href + ' ' + document.querySelector('#dash-live').textContent + ' ' + document.querySelector('#dash-body').innerText.slice(0, 200)")

    def card(self, d, indicator):
        return d.execute_script("const v = document.querySelector('article[data-indicator=%s] .v');"
                                "return v && v.textContent" % indicator)

    # ---- the tests, in order (they share the daemons and the two browsers) ----

    def test_00_pages_keep_the_rules(self):
        """Nothing CSP "default-src 'self'" would block, no markup from strings, every shell
        file cached by the service worker."""
        www = daemons.WWW

        def read(*path):
            with open(os.path.join(www, *path), encoding="utf-8") as f:
                return f.read()
        html = read("index.html")
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)[^>]*>")  # no inline script
        self.assertNotRegex(html, r"\sstyle=|<style|\son[a-z]+=")  # no inline style or handler
        sw = read("sw.js")
        for name in sorted(os.listdir(os.path.join(www, "static"))):
            if name.endswith(".js"):  # the code, without its comments
                src = re.sub(r"^\s*//.*$|/\*.*?\*/", "", read("static", name), flags=re.M | re.S)
                for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
                    self.assertNotIn(bad, src, name)
            self.assertIn('"/static/%s"' % name, sw, "sw.js does not cache " + name)

    def test_01_sign_in(self):
        d = self.clerk
        d.get(self.base + "/")
        until(d, "document.body.dataset.view === 'login'", what="the sign-in form")
        d.find_element(By.ID, "login-user").send_keys(CLERK[0])
        d.find_element(By.ID, "login-password").send_keys("salah")
        d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        msg = until(d, "document.querySelector('#login-error').textContent", what="the refusal")
        self.assertIn("salah", msg)  # "Nama pengguna atau kata sandi salah."
        self.shot(d, "login-phone.png")
        d.find_element(By.ID, "login-password").clear()
        self.login(d, CLERK[0], CLERK[1], "meja")
        self.assertEqual(d.find_element(By.ID, "who").text.strip() or CLERK[4], CLERK[4])
        self.login(self.camat, CAMAT[0], CAMAT[1], "dasbor")
        # a viewer has no desk
        self.assertFalse(self.camat.find_element(By.ID, "nav-meja").is_displayed())


    def test_02_locked_out(self):
        """Five wrong passwords lock the user out: the page says so in Indonesian, with minutes."""
        d = browser(PHONE, True)
        try:
            d.get(self.base + "/")
            until(d, "document.body.dataset.view === 'login'", what="the sign-in form")
            msg = ""
            for _ in range(7):
                d.find_element(By.ID, "login-user").clear()
                d.find_element(By.ID, "login-user").send_keys(GUEST[0])
                d.find_element(By.ID, "login-password").clear()
                d.find_element(By.ID, "login-password").send_keys("bukan-sandinya")
                d.execute_script("document.querySelector('#login-error').textContent = ''")
                d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
                msg = until(d, "document.querySelector('#login-error').textContent", what="a refusal")
                if "menit" in msg:
                    break
            self.assertRegex(msg, r"[Cc]oba lagi dalam \d+ menit")
            # even the right password is refused now
            d.find_element(By.ID, "login-password").clear()
            d.find_element(By.ID, "login-password").send_keys(GUEST[1])
            d.execute_script("document.querySelector('#login-error').textContent = ''")
            d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
            self.assertIn("menit", until(d, "document.querySelector('#login-error').textContent", what="a refusal"))
            self.assertEqual(d.execute_script("return document.body.dataset.view"), "login")
        finally:
            d.quit()

    def test_03_only_own_village(self):
        d = self.clerk
        orgs = d.execute_script("return [...document.querySelectorAll('#t-isi [name=orgunit]')].map(e => e.value)")
        self.assertTrue(orgs)
        self.assertEqual(set(orgs), {AENGSAREH})  # every form: Aengsareh only, no choice
        self.assertFalse(d.execute_script("return !!document.querySelector('#t-isi select[name=orgunit]')"))
        # elements of the sections are not offered to a village clerk
        self.assertFalse(d.execute_script("return !!document.querySelector('#f-surat_masuk')"))
        self.assertTrue(d.execute_script("return !!document.querySelector('#f-usulan_terakomodir')"))
        # and the API refuses another village's event
        r = post_events(d, [{"id": "t-other-village", "element": "usulan_terakomodir", "orgunit": MANDANGIN,
                             "date": "2022-03-03", "op": "add", "value": 5}])
        self.assertEqual(r["status"], 200, r)
        self.assertEqual(r["body"]["results"][0]["status"], "error")
        self.assertEqual(r["body"]["results"][0]["code"], "out_of_scope")
        self.assertEqual(self.env.query("iki24", "2022", MANDANGIN)["num"], 0)

    def test_04_live_dashboard(self):
        d, cam = self.clerk, self.camat
        self.dash(cam, "Q", 2022, 1, AENGSAREH)
        self.assertEqual(self.card(cam, "iki24"), "tidak ada data")
        self.fill(d, "target_usulan_terakomodir", "2022-03-01", "4")
        self.result(d, "target_usulan_terakomodir", "terkirim")
        until(cam, "document.querySelector('article[data-indicator=iki24] .v').textContent === '0 %'",
              3, "the dashboard to show 0 %")
        # the moment of the click in the clerk's page, the moment the card changes in the Camat's
        # (both browsers on this machine's clock)
        cam.execute_script("""window.seenAt = 0; new MutationObserver(() => {
            const v = document.querySelector('article[data-indicator=iki24] .v');
            if (!window.seenAt && v && v.textContent === '75 %') window.seenAt = Date.now();
        }).observe(document.querySelector('#dash-body'), {subtree: true, childList: true, characterData: true});""")
        f = self.fill(d, "usulan_terakomodir", "2022-03-02", "3", submit=False)
        d.execute_script("arguments[0].addEventListener('submit', () => { window.sentAt = Date.now(); }, {capture: true});"
                         "arguments[0].querySelector('button[type=submit]').click()", f)
        seen = until(cam, "window.seenAt", 5, "the dashboard to show 75 %")
        took = seen - d.execute_script("return window.sentAt")
        self.result(d, "usulan_terakomodir", "terkirim")
        sys.stderr.write("live: the clerk's click to the Camat's dashboard showing 75 %%: %d ms\n" % took)
        self.assertLess(took, 1000)
        # no reload happened
        self.assertEqual(cam.execute_script("return performance.getEntriesByType('navigation').length"), 1)
        self.assertTrue(cam.execute_script("return window.seenAt > 0"))

    def test_05_comment_is_text(self):
        d = self.clerk
        evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
        self.fill(d, "sarpras_rt_dibangun", "2022-03-05", "1", comment=evil)
        self.result(d, "sarpras_rt_dibangun", "terkirim")
        self.tab(d, "kiriman")
        text = until(d, "[...document.querySelectorAll('#mine .comment')].map(e => e.textContent).join('|')",
                     what="the comment in the list")
        self.assertIn("<script>window.pwned=1</script>", text)
        self.assertFalse(d.execute_script("return !!document.querySelector('#mine script, #mine img')"))
        self.assertIsNone(d.execute_script("return window.pwned === undefined ? null : window.pwned"))
        self.tab(d, "isi")


    def test_06_case_open_close(self):
        """A case opened and closed through the form (the close picks the open case)."""
        d = self.clerk
        self.fill(d, "akta_tanah", "2022-07-01", case="AT-90", op="open")
        self.result(d, "akta_tanah", "terkirim")
        f = self.form(d, "akta_tanah")
        opts = d.execute_script("return [...arguments[0].querySelectorAll('datalist option')].map(o => o.value)", f)
        self.assertIn("AT-90", opts)  # the open cases are offered for the close
        self.fill(d, "akta_tanah", "2022-07-05", case="AT-90", op="close")
        self.result(d, "akta_tanah", "terkirim")
        v = self.env.query("iki20", "202207", AENGSAREH)
        self.assertEqual((v["num"], v["den"]), (1, 1))  # closed in 4 days of 14: on time
        # a close of a case never opened: refused with ikid's reason, shown under the form
        self.fill(d, "akta_tanah", "2022-07-06", case="AT-404", op="close")
        why = self.result(d, "akta_tanah", "ditolak")
        self.assertTrue(len(why) > 12, why)

    def test_06b_section_delivers_scheduled_report(self):
        """A section closes a report ikid's schedule opened, by choosing its period; it sends for
        any org unit (a choice of all 19), only its own elements."""
        d = browser(PHONE, True)
        try:
            self.login(d, KEUANGAN[0], KEUANGAN[1], "meja")
            self.assertEqual(len(d.execute_script("return [...document.querySelectorAll('#f-lapkeu_tepat select[name=orgunit] option')]")), 19)
            self.assertFalse(d.execute_script("return !!document.querySelector('#f-usulan_terakomodir')"))
            f = self.form(d, "lapkeu_bulanan")
            self.assertEqual(d.execute_script("return [...arguments[0].querySelectorAll('input[name=op]')].map(e => e.value)", f), ["close"])
            before = self.env.query("iki15", "202203", KEC)
            d.execute_script("""const f = arguments[0]; f.elements.period.value = '202203';
                f.elements.orgunit.value = '%s'; f.elements.date.value = '2022-04-08';
                f.querySelector('button[type=submit]').click()""" % KEC, f)
            self.result(d, "lapkeu_bulanan", "terkirim")
            after = self.env.query("iki15", "202203", KEC)
            self.assertEqual((after["num"], after["den"]), (before["num"] + 1, before["den"]))  # on time, counted in March
        finally:
            d.quit()

    def test_07_correct_and_void(self):
        """From the list: a correction (a new event with ref) and a void."""
        d = self.clerk
        self.tab(d, "kiriman")
        find = ("[...document.querySelectorAll('#mine li')].find(li => (li.querySelector('.detail') || {}).textContent"
                " === 'Desa Aengsareh · 2 Maret 2022 · jumlah 3')")
        until(d, find, what="the event of 2 March in the list")
        old = d.execute_script("return %s.dataset.id" % find)
        d.execute_script("%s.querySelectorAll('button')[0].click()" % find)  # Koreksi
        f = self.form(d, "usulan_terakomodir")
        self.assertEqual(f.find_element(By.NAME, "ref").get_attribute("value"), old)
        self.assertEqual(f.find_element(By.NAME, "value").get_attribute("value"), "3")
        self.assertTrue(f.find_element(By.CSS_SELECTOR, ".fix").is_displayed())
        box = f.find_element(By.NAME, "value")
        box.clear()
        box.send_keys("2")
        f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.result(d, "usulan_terakomodir", "terkirim")
        self.assertEqual(self.env.query("iki24", "2022Q1", AENGSAREH)["num"], 2)  # 3 replaced by 2
        self.tab(d, "kiriman")
        fix = ("[...document.querySelectorAll('#mine li')].find(li => (li.querySelector('.detail') || {}).textContent"
               " === 'Desa Aengsareh · 2 Maret 2022 · jumlah 2 · koreksi atas %s')" % old)
        until(d, fix, what="the correction in the list")
        until(d, "%s.querySelector('.note')" % find, what="the original marked corrected")
        btn = "[...%s.querySelectorAll('button')].find(b => b.classList.contains('danger'))" % fix
        d.execute_script("%s.click()" % btn)
        self.assertIn("Yakin", d.execute_script("return %s.textContent" % btn))  # asks first
        d.execute_script("%s.click()" % btn)
        until(d, "[...document.querySelectorAll('#mine li[data-status=terkirim] .what')].some(e => e.textContent.startsWith('Pembatalan'))",
              what="the void, terkirim")
        self.assertEqual(self.env.query("iki24", "2022Q1", AENGSAREH)["num"], 0)
        self.tab(d, "isi")

    def test_08_offline_outbox(self):
        d = self.clerk
        until(d, "navigator.serviceWorker.controller", what="the service worker")
        # the desk installs as an app: a manifest Chromium reads without errors, a worker in control
        m = d.execute_cdp_cmd("Page.getAppManifest", {})
        self.assertEqual(m.get("errors"), [], m)
        self.assertEqual(json.loads(m["data"])["short_name"], "iki Sampang")
        inst = d.execute_cdp_cmd("Page.getInstallabilityErrors", {})["installabilityErrors"]
        self.assertEqual(inst, [])
        set_network(d, OFFLINE)
        try:
            for day, v in (("2022-04-04", "1"), ("2022-04-05", "2"), ("2022-04-06", "4")):
                self.fill(d, "usulan_terakomodir", day, v)
                self.result(d, "usulan_terakomodir", "menunggu")
            until(d, "document.querySelector('#pending').dataset.count === '3'", what="3 events waiting")
            d.refresh()
            until(d, "document.body.dataset.view === 'meja'", what="the desk, offline")
            until(d, "document.querySelector('#pending').dataset.count === '3'", what="3 still waiting after reload")
            self.assertEqual(d.find_element(By.ID, "net").text, "Luring")
            self.tab(d, "kiriman")
            waiting = d.execute_script("return document.querySelectorAll('#mine li[data-status=menunggu]').length")
            self.assertEqual(waiting, 3)
            self.shot(d, "desk-offline-phone.png")
        finally:
            set_network(d, ONLINE)
        until(d, "document.querySelector('#pending').dataset.count === '0'", 15, "the outbox to empty")
        ids = d.execute_script("return [...document.querySelectorAll('#mine li[data-status=terkirim]')].map(e => e.dataset.id)")
        self.assertGreaterEqual(len(ids), 3)
        self.assertEqual(self.env.query("iki24", "2022Q2", AENGSAREH)["num"], 7)  # 1 + 2 + 4, once each
        # a resend of the same ids changes nothing: every one is a duplicate
        again = d.execute_script("return (async () => { const db = await new Promise(r => { const q = indexedDB.open('iki');"
                                 " q.onsuccess = () => r(q.result); }); return await new Promise(r => {"
                                 " const g = db.transaction('outbox').objectStore('outbox').getAll(); g.onsuccess = () => r(g.result); }); })()")
        recent = [x["event"] for x in again if x["event"].get("date", "").startswith("2022-04")]
        self.assertEqual(len(recent), 3)
        r = post_events(d, recent)
        self.assertEqual([x["status"] for x in r["body"]["results"]], ["duplicate"] * 3)
        self.assertEqual(self.env.query("iki24", "2022Q2", AENGSAREH)["num"], 7)

    def test_08b_outbox_not_blocked(self):
        """A record the API refuses whole (an id over 64 bytes) is ditolak alone; the good record
        captured with it is delivered."""
        d = self.clerk
        got = d.execute_async_script("""const done = arguments[0];
            import('/static/outbox.js').then(async (o) => {
                const ev = (id, v) => ({id, element: 'sarpras_rt_dibangun', orgunit: '%s', date: '2022-09-01', op: 'add', value: v});
                await o.capture('%s', [ev('x'.repeat(70), 1), ev('t-good-after-bad', 2)]);
                await o.kick(); await o.kick();
                const recs = await o.list('%s');
                done(recs.filter(r => r.event.date === '2022-09-01').map(r => [r.id.length, r.status, r.message || '']));
            }, e => done(String(e)));""" % (AENGSAREH, CLERK[0], CLERK[0]))
        self.assertEqual(sorted((n, st) for n, st, _ in got), [(16, "terkirim"), (70, "ditolak")], got)
        self.assertTrue([m for n, st, m in got if n == 70][0])  # with the reason
        self.assertEqual(self.env.query("iki25", "202209", AENGSAREH)["num"], 2)  # the good one, once

    def test_09_upload_csv(self):
        d = self.clerk
        self.tab(d, "unggah")
        rows = ["ID;Kode Elemen;Nama Elemen;Kode Wilayah;Nama Wilayah;Tanggal;Operasi;Jumlah;Nomor Kasus;Keterangan",
                ";usulan_terakomodir;Usulan;%s;Aengsareh;07/05/2022;tambah;1.000;;dari \"Excel\"; dengan titik koma" % AENGSAREH,
                ";usulan_terakomodir;Usulan;%s;Aengsareh;8/5/2022;;2;;" % AENGSAREH,
                ";akta_tanah;Akta;%s;Aengsareh;09/05/2022;buka;;AT-77;" % AENGSAREH,
                ";usulan_terakomodir;Usulan;%s;Mandangin;10/05/2022;tambah;9;;" % MANDANGIN,
                ";usulan_terakomodir;Usulan;%s;Aengsareh;31/02/2022;tambah;9;;" % AENGSAREH]
        # the quoted cell as Excel writes a ';' inside one
        rows[1] = rows[1].replace('dari "Excel"; dengan titik koma', '"dari ""Excel""; dengan titik koma"')
        path = os.path.join(self.env.dir, "data-mei.csv")
        with open(path, "wb") as f:
            f.write(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
        d.find_element(By.ID, "upload-file").send_keys(path)
        until(d, "document.querySelectorAll('#upload-preview tbody tr').length === 5", what="the preview", diag=ROWS)
        st = d.execute_script("return [...document.querySelectorAll('#upload-preview tbody tr')].map(r => r.dataset.status)")
        self.assertEqual(st, ["siap", "siap", "siap", "ditolak", "ditolak"])
        d.find_element(By.ID, "upload-send").click()
        until(d, "[...document.querySelectorAll('#upload-preview tbody tr')].filter(r => r.dataset.status === 'terkirim').length === 3",
              10, "3 rows terkirim", ROWS)
        self.assertEqual(self.env.query("iki24", "202205", AENGSAREH)["num"], 1002)
        d.execute_script("scrollTo(0, document.querySelector('#upload-note').getBoundingClientRect().top + scrollY - 110)")
        self.shot(d, "upload-phone.png")
        # tomorrow the clerk corrects a row (8 May: 2 -> 3) and adds one to the same sheet and uploads
        # it again: the same rows add nothing, the changed one corrects its event, the new one counts
        rows[2] = rows[2].replace(";tambah;2;", ";tambah;3;").replace("8/5/2022;;2;", "8/5/2022;;3;")
        rows.append(";usulan_terakomodir;Usulan;%s;Aengsareh;11/05/2022;tambah;9;;" % AENGSAREH)
        with open(path, "wb") as f:
            f.write(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
        d.find_element(By.ID, "upload-file").send_keys(path)
        until(d, "document.querySelectorAll('#upload-preview tbody tr').length === 6", what="the longer preview", diag=ROWS)
        d.find_element(By.ID, "upload-send").click()
        until(d, "[...document.querySelectorAll('#upload-preview tbody tr')].filter(r => r.dataset.status === 'terkirim').length === 4",
              10, "4 rows terkirim", ROWS)
        again = d.execute_script("return [...document.querySelectorAll('#upload-preview tbody tr')].map(r => r.textContent)")
        self.assertEqual(sum("sudah tercatat" in t for t in again), 2, again)
        self.assertEqual(sum("koreksi" in t for t in again), 1, again)
        self.assertEqual(self.env.query("iki24", "202205", AENGSAREH)["num"], 1000 + 3 + 9)
        # the same row in a file of another name is another event (as iki submit counts it)
        other = os.path.join(self.env.dir, "data-mei-susulan.csv")
        with open(other, "wb") as f:
            f.write(("\ufeff" + "\r\n".join([rows[0], rows[-1]]) + "\r\n").encode("utf-8"))
        d.find_element(By.ID, "upload-file").send_keys(other)
        until(d, "document.querySelectorAll('#upload-preview tbody tr').length === 1", what="the other file's preview", diag=ROWS)
        d.find_element(By.ID, "upload-send").click()
        until(d, "document.querySelector('#upload-preview tbody tr').dataset.status === 'terkirim'", 10, "the row terkirim", ROWS)
        self.assertEqual(self.env.query("iki24", "202205", AENGSAREH)["num"], 1000 + 3 + 9 + 9)

    def test_10_upload_xlsx(self):
        d = self.clerk
        rows = [["Kode Elemen", "Kode Wilayah", "Tanggal", "Jumlah", "Operasi", "Nomor Kasus", "Keterangan"],
                ["usulan_terakomodir", AENGSAREH, ("date", serial(2022, 6, 1)), 5, "tambah", "", "dari XLSX"],
                ["akta_tanah", AENGSAREH, "02/06/2022", "", "buka", "AT-78", ""],
                ["akta_tanah", AENGSAREH, ("date", serial(2022, 6, 9)), "", "tutup", "AT-78", "selesai"]]
        path = os.path.join(self.env.dir, "data-juni.xlsx")
        with open(path, "wb") as f:
            f.write(xlsx(rows))
        d.find_element(By.ID, "upload-file").send_keys(path)
        until(d, "document.querySelectorAll('#upload-preview tbody tr').length === 3"
                 " && [...document.querySelectorAll('#upload-preview tbody tr')].every(r => r.dataset.status === 'siap')",
              what="the XLSX preview", diag=ROWS)
        d.find_element(By.ID, "upload-send").click()
        until(d, "[...document.querySelectorAll('#upload-preview tbody tr')].every(r => r.dataset.status === 'terkirim')",
              10, "every XLSX row terkirim", ROWS)
        self.assertEqual(self.env.query("iki24", "202206", AENGSAREH)["num"], 5)


    def test_11_template_round_trip(self):
        """The group's template downloads as Excel wants it, and comes back filled in."""
        d = self.clerk
        self.tab(d, "isi")
        d.execute_script("document.querySelector('section[data-group=iki24] button.template').click()")
        path = os.path.join(self.downloads, "templat-iki24.csv")
        daemons.wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 10, "the template's download")
        raw = daemons.slurp(path, True)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))  # the BOM Excel needs to read UTF-8
        lines = raw.decode("utf-8-sig").split("\r\n")
        head = lines[0].split(";")
        self.assertEqual(head[:6], ["ID", "Kode Elemen", "Nama Elemen", "Kode Wilayah", "Nama Wilayah", "Tanggal"])
        rows = [ln.split(";") for ln in lines[1:] if ln]
        self.assertEqual(sorted(r[1] for r in rows), ["target_usulan_terakomodir", "usulan_terakomodir"])
        self.assertEqual({r[3] for r in rows}, {AENGSAREH})
        for r in rows:  # the clerk fills one row in, as Excel would save it
            if r[1] == "usulan_terakomodir":
                r[head.index("Tanggal")], r[head.index("Jumlah")] = "15/08/2022", "6"
        filled = os.path.join(self.env.dir, "templat-diisi.csv")
        with open(filled, "wb") as f:
            f.write(("\ufeff" + "\r\n".join([";".join(head)] + [";".join(r) for r in rows]) + "\r\n").encode())
        self.tab(d, "unggah")
        d.find_element(By.ID, "upload-file").send_keys(filled)
        until(d, "document.querySelectorAll('#upload-preview tbody tr').length === 1", what="one row (the empty one skipped)", diag=ROWS)
        d.find_element(By.ID, "upload-send").click()
        until(d, "document.querySelector('#upload-preview tbody tr').dataset.status === 'terkirim'", 10, "the row terkirim", ROWS)
        self.assertEqual(self.env.query("iki24", "202208", AENGSAREH)["num"], 6)

    def test_12_report_and_matrix(self):
        """The report's links work; the dashboard shows every village side by side."""
        cam = self.camat
        cam.get(self.base + "/#laporan")
        until(cam, "document.querySelectorAll('#report-links a').length === 3", what="the report's links")
        # the tables in the page: Kecamatan Sampang's iki24 in triwulan I (Aengsareh's target 4, no usulan left)
        tw1 = until(cam, "(document.querySelectorAll('#report-table tr[data-indicator=iki24] td')[3] || {}).textContent",
                    what="the LAKIP table in the page")
        self.assertEqual(tw1, "0 %capaian 0 %")
        self.shot(cam, "laporan-desktop.png")
        got = cam.execute_async_script("""const done = arguments[0];
            Promise.all([...document.querySelectorAll('#report-links a')].map(a => fetch(a.href).then(async r =>
                [r.status, r.headers.get('Content-Type'), (await r.text()).length])), ).then(done, e => done(String(e)));""")
        self.assertEqual([g[0] for g in got], [200, 200, 200], got)
        self.assertIn("text/html", got[0][1])
        self.assertIn("text/csv", got[2][1])
        # a month, and the year, of one village
        self.dash(cam, "M", 2022, 3, AENGSAREH)
        self.assertEqual(self.card(cam, "iki24"), "0 %")  # March: target 4, the usulan voided
        self.assertIn("Maret 2022", cam.find_element(By.CSS_SELECTOR, "#dash-body h2").text)
        self.dash(cam, "Y", 2022, "", AENGSAREH)
        self.assertIn("Tahun 2022", cam.find_element(By.CSS_SELECTOR, "#dash-body h2").text)
        self.assertEqual(self.card(cam, "iki06"), "tidak ada data")
        self.dash(cam, "Q", 2022, 1, "*")
        cell = until(cam, "(document.querySelector('td[data-indicator=iki24][data-orgunit=\"%s\"]') || {}).textContent" % AENGSAREH,
                     what="Aengsareh's cell")
        self.assertEqual(cell, "0 %")
        self.assertEqual(cam.execute_script("return document.querySelectorAll('table.matrix thead th').length"), 20)
        self.shot(cam, "matrix-desktop.png")

    def test_13_screenshots(self):
        d, cam = self.clerk, self.camat
        d.get(self.base + "/#meja")
        until(d, "document.querySelector('#f-usulan_terakomodir')", what="the desk")
        self.tab(d, "isi")
        d.execute_script("const c = document.querySelector('details[data-element=usulan_terakomodir]'); c.open = true;"
                         "scrollTo(0, c.closest('section').getBoundingClientRect().top + scrollY - 110)")
        self.shot(d, "desk-phone.png")
        self.tab(d, "kiriman")
        until(d, "document.querySelectorAll('#mine li').length >= 5", what="the list")
        self.shot(d, "kiriman-phone.png")
        # a year of the whole kecamatan (the year test's data), for the dashboard to show
        rc, out, err = self.env.iki("submit", "-f", os.path.join(daemons.TOP, "tests/data/sampang-2022-year.csv"))
        self.assertIn(rc, (0, 1), err)
        self.dash(cam, "Q", 2022, 1, KEC)
        until(cam, "document.querySelectorAll('article.kpi:not(.band-none)').length > 10", what="values on the dashboard",
              diag="document.querySelector('#dash-body').innerText.slice(0, 600) + ' ' + " + json.dumps(out[-300:] + err[-300:]))
        self.shot(cam, "dashboard-desktop.png")
        cam.set_window_size(*PHONE)
        cam.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})
        self.shot(cam, "dashboard-phone.png")
        # no script error in either page (refused sign-ins, the first /api/me before signing in
        # and requests while offline are expected)
        expected = ("/api/me - Failed to load resource: the server responded with a status of 401",
                    "/api/login - Failed to load resource: the server responded with a status of 401",
                    "net::ERR_INTERNET_DISCONNECTED", "Failed to fetch")
        logs = [e["message"] for e in d.get_log("browser") + cam.get_log("browser")
                if e["level"] == "SEVERE" and not any(x in e["message"] for x in expected)]
        self.assertEqual(logs, [])

    def test_14_verify(self):
        ok, out = self.env.verify()
        self.assertTrue(ok, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
