// Discord's Markdown, as the bot's messages use it, turned into DOM nodes. Hand-written: the
// parsers Discord-like clients use (simple-markdown, discord-markdown) are npm packages that
// would need a Node toolchain or a vendored bundle; this subset is a few hundred lines.
// Every piece of text goes in through document.createTextNode: nothing the bot (or the
// content it quotes) sends is ever parsed as HTML. Links open only http(s) addresses.
"use strict";

(function () {
  const SPECIAL = /[\\`\[<*_~|]|https?:\/\//g;

  function el(tag, className, children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children || []) node.append(child);
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(url, children) {
    const href = safeUrl(url);
    if (!href) return document.createTextNode(url);
    const a = el("a", "md-link", children);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    a.title = href;
    return a;
  }

  const MONTHS = { month: "long", day: "numeric", year: "numeric" };
  const TIME = { hour: "2-digit", minute: "2-digit" };

  function relative(date, now) {
    const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
    const units = [
      ["year", 31536000], ["month", 2592000], ["day", 86400],
      ["hour", 3600], ["minute", 60], ["second", 1],
    ];
    const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size || unit === "second") {
        return format.format(Math.round(seconds / size), unit);
      }
    }
    return "";
  }

  function timestamp(seconds, style, ctx) {
    const date = new Date(Number(seconds) * 1000);
    const f = (options) => new Intl.DateTimeFormat("en-US", options).format(date);
    const text = {
      t: () => f(TIME),
      T: () => f({ ...TIME, second: "2-digit" }),
      d: () => f({ month: "2-digit", day: "2-digit", year: "numeric" }),
      D: () => f(MONTHS),
      f: () => f({ ...MONTHS, ...TIME }),
      F: () => f({ weekday: "long", ...MONTHS, ...TIME }),
      R: () => relative(date, ctx.now ? ctx.now() : new Date()),
    }[style || "f"];
    const node = el("time", "md-timestamp", [text ? text() : f({ ...MONTHS, ...TIME })]);
    node.dateTime = date.toISOString();
    node.title = f({ weekday: "long", ...MONTHS, ...TIME });
    return node;
  }

  function mention(prefix, name, known) {
    return el("span", known ? "md-mention" : "md-mention unknown", [prefix + name]);
  }

  // Inline rules, tried in order at each special character. Each returns [node, length].
  const RULES = [
    [/\\([^A-Za-z0-9\s])/y, (m) => document.createTextNode(m[1])],
    [/(`+)([\s\S]*?[^`])\1(?!`)/y, (m) => el("code", "md-code", [m[2].trim() || m[2]])],
    [
      /\[([^\[\]\n]+)\]\(<?(https?:\/\/[^\s)>]+)>?\)/y,
      (m, ctx) => link(m[2], inline(m[1], ctx)),
    ],
    [/<(https?:\/\/[^\s>]+)>/y, (m) => link(m[1], [m[1]])],
    [/https?:\/\/[^\s<]*[^<.,:;"'\)\]\s]/y, (m) => link(m[0], [m[0]])],
    [/<@!?(\d+)>/y, (m, ctx) => mention("@", ctx.users[m[1]] || "unknown-user", m[1] in ctx.users)],
    [/<@&(\d+)>/y, (m, ctx) => mention("@", ctx.roles[m[1]] || "unknown-role", m[1] in ctx.roles)],
    [/<#(\d+)>/y, (m, ctx) => mention("#", ctx.channels[m[1]] || "unknown", m[1] in ctx.channels)],
    [/<t:(-?\d{1,13})(?::([tTdDfFR]))?>/y, (m, ctx) => timestamp(m[1], m[2], ctx)],
    [/<a?:(\w+):\d+>/y, (m) => document.createTextNode(`:${m[1]}:`)],
    [/\*\*([\s\S]+?)\*\*(?!\*)/y, (m, ctx) => el("strong", "", inline(m[1], ctx))],
    [/__([\s\S]+?)__(?!_)/y, (m, ctx) => el("u", "", inline(m[1], ctx))],
    [/\*(?=\S)([\s\S]*?\S)\*(?!\*)/y, (m, ctx) => el("em", "", inline(m[1], ctx))],
    [/_([\s\S]+?)_(?![A-Za-z0-9_])/y, (m, ctx) => el("em", "", inline(m[1], ctx))],
    [/~~([\s\S]+?)~~/y, (m, ctx) => el("s", "", inline(m[1], ctx))],
    [/\|\|([\s\S]+?)\|\|/y, (m, ctx) => spoiler(inline(m[1], ctx))],
  ];

  function spoiler(children) {
    const node = el("span", "md-spoiler", children);
    node.title = "Spoiler: click to show";
    node.addEventListener("click", () => node.classList.add("shown"));
    return node;
  }

  function inline(text, ctx) {
    const out = [];
    let plain = "";
    let i = 0;
    const flush = () => {
      if (plain) out.push(document.createTextNode(plain));
      plain = "";
    };
    // Each round consumes at least one character, so the loop ends within text.length rounds.
    while (i < text.length) {
      SPECIAL.lastIndex = i;
      const next = SPECIAL.exec(text);
      if (!next) {
        plain += text.slice(i);
        break;
      }
      plain += text.slice(i, next.index);
      i = next.index;
      const before = i > 0 ? text[i - 1] : " ";
      let matched = false;
      for (const [pattern, make] of RULES) {
        if (pattern.source.startsWith("_") && /[A-Za-z0-9]/.test(before)) continue;
        pattern.lastIndex = i;
        const m = pattern.exec(text);
        if (m) {
          flush();
          out.push(make(m, ctx));
          i += m[0].length;
          matched = true;
          break;
        }
      }
      if (!matched) {
        plain += text[i];
        i += 1;
      }
    }
    flush();
    return out;
  }

  function codeBlock(lines, start) {
    // ```lang ... ``` over several lines (or on one line); null when never closed.
    const first = lines[start].slice(3);
    const sameLine = first.indexOf("```");
    if (sameLine >= 0) return [first.slice(0, sameLine), start];
    for (let j = start + 1; j < lines.length; j++) {
      const end = lines[j].indexOf("```");
      if (end >= 0) {
        const body = lines.slice(start + 1, j);
        if (end > 0) body.push(lines[j].slice(0, end));
        return [body.join("\n"), j];
      }
    }
    return null;
  }

  function blocks(text, ctx) {
    const lines = text.split("\n");
    const out = [];
    let para = [];
    const flushPara = () => {
      if (para.length) out.push(el("div", "md-text", inline(para.join("\n"), ctx)));
      para = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const code = line.startsWith("```") ? codeBlock(lines, i) : null;
      if (code) {
        flushPara();
        out.push(el("pre", "md-pre", [el("code", "", [code[0]])]));
        i = code[1];
      } else if (line.startsWith(">>> ")) {
        flushPara();
        const rest = [line.slice(4), ...lines.slice(i + 1)].join("\n");
        out.push(el("blockquote", "md-quote", blocks(rest, ctx)));
        break;
      } else if (line.startsWith("> ") || line === ">") {
        flushPara();
        const quoted = [];
        while (i < lines.length && (lines[i].startsWith("> ") || lines[i] === ">")) {
          quoted.push(lines[i].slice(2));
          i++;
        }
        i--;
        out.push(el("blockquote", "md-quote", blocks(quoted.join("\n"), ctx)));
      } else if (/^#{1,3} \S/.test(line)) {
        flushPara();
        const level = line.indexOf(" ");
        out.push(el(`h${level + 2}`, "md-heading", inline(line.slice(level + 1), ctx)));
      } else if (line.startsWith("-# ")) {
        flushPara();
        out.push(el("small", "md-subtext", inline(line.slice(3), ctx)));
      } else if (/^\s*[-*] \S/.test(line)) {
        flushPara();
        const items = [];
        while (i < lines.length && /^\s*[-*] \S/.test(lines[i])) {
          items.push(el("li", "", inline(lines[i].replace(/^\s*[-*] /, ""), ctx)));
          i++;
        }
        i--;
        out.push(el("ul", "md-list", items));
      } else {
        para.push(line);
      }
    }
    flushPara();
    return out;
  }

  // ctx: {users, roles, channels: {id: name}, now: () => Date}
  window.DiscordMarkdown = {
    render(text, ctx) {
      const fragment = document.createDocumentFragment();
      fragment.append(...blocks(String(text || ""), ctx));
      return fragment;
    },
    inline(text, ctx) {
      const fragment = document.createDocumentFragment();
      fragment.append(...inline(String(text || ""), ctx));
      return fragment;
    },
    safeUrl,
  };
})();
