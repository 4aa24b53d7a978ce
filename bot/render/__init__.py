"""Pure rendering of briefs and answers: terminal text (`text`), Slack Block Kit (`blocks`),
JSON (`json_out`), and the mrkdwn escaping they rely on (`escape`).

Data in, data out: no Slack client, no database, no I/O. Import the submodule you need
(`from bot.render import blocks`); only `blocks` imports slack_sdk.
"""
