# A Python smtplib client driven by one JSON argument; prints one JSON result.
# {"port", "mode": "plain"|"starttls"|"ssl", "ca", "helo", "login": [user, pass],
#  "from", "to": [...], "message_hex", "mail_options": [...]}
import json, smtplib, ssl, sys

cfg = json.loads(sys.argv[1])
result = {}
ctx = None
if cfg.get("ca"):
    ctx = ssl.create_default_context(cafile=cfg["ca"])
try:
    if cfg["mode"] == "ssl":
        client = smtplib.SMTP_SSL("127.0.0.1", cfg["port"], local_hostname=cfg["helo"],
                                  context=ctx, timeout=20)
    else:
        client = smtplib.SMTP("127.0.0.1", cfg["port"], local_hostname=cfg["helo"], timeout=20)
    with client:
        client.ehlo()
        if cfg["mode"] == "starttls":
            client.starttls(context=ctx)
            client.ehlo()
        result["esmtp_features"] = sorted(client.esmtp_features.keys())
        if cfg.get("login"):
            try:
                client.login(cfg["login"][0], cfg["login"][1])
                result["login"] = 235
            except smtplib.SMTPAuthenticationError as e:
                result["login"] = e.smtp_code
                result["login_error"] = e.smtp_error.decode("utf-8", "replace")
                print(json.dumps(result))
                sys.exit(0)
        if cfg.get("to"):
            try:
                refused = client.sendmail(cfg["from"], cfg["to"], bytes.fromhex(cfg["message_hex"]),
                                          mail_options=cfg.get("mail_options", []))
                result["refused"] = {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in refused.items()}
                result["sent"] = True
            except smtplib.SMTPRecipientsRefused as e:
                result["all_refused"] = {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in e.recipients.items()}
            except smtplib.SMTPResponseException as e:
                result["error"] = [e.smtp_code, e.smtp_error.decode("utf-8", "replace")]
except Exception as e:  # any other failure is a test failure, reported to the Rust side
    print(json.dumps({"exception": repr(e)}))
    sys.exit(1)
print(json.dumps(result))
