/*! Policy Assistant chat widget: embed with one <script> tag; no dependencies, no build step.
 *
 *   <script src="https://host/widget.js" data-assistant-url="https://host"
 *           data-title="AKS support policy" defer></script>
 *
 * Optional attributes: data-theme="auto|light|dark" (auto follows prefers-color-scheme),
 * data-accent="#0a4fa8" (any CSS colour), data-position="bottom-right|bottom-left" and
 * data-starters="First question?|Second question?" (default: the server's, from the policy).
 *
 * Everything the server sends is inserted as text (textContent / createElement), never as HTML.
 * The answer is built from the structured `answer` (plain text with [n] markers) and `citations`.
 */
(function () {
  "use strict";

  if (window.PolicyAssistant) return; // embedded twice: keep the first

  // Mirrors assistant/answer/render.py LABELS (a test keeps the two in step); {provider} is
  // the turn's `provider`, the name the policy gives who provides the support.
  var VERDICT_LABELS = {
    supported: "Supported",
    not_supported: "Not supported",
    best_effort: "Best effort",
    conditional: "Conditional",
    customer_responsibility: "Customer's responsibility",
    microsoft_responsibility: "{provider}'s responsibility",
    shared_responsibility: "Shared responsibility",
    informational: "Policy information",
    unknown: "Policy doesn't say",
  };
  // Kinds of reply that answer from the policy and so carry a verdict (not small talk or hand-off).
  var POLICY_KINDS = ["answer", "clarification"];
  var REQUEST_TIMEOUT_MS = 30000;
  var MAX_STORED_TURNS = 50;
  var MAX_COMMENT_CHARS = 1000; // the API's limit for a feedback comment
  var CITATION_PREVIEW_WORDS = 8;
  var FULL_SCREEN = "(max-width: 480px)"; // widget.css shows the panel full-screen below this
  var SVG_NS = "http://www.w3.org/2000/svg";
  // Chat bubble (drawn for this widget) and thumb (Material Icons "thumb_up", Apache-2.0).
  var ICON_CHAT = "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9.5L5 21v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";
  var ICON_THUMB =
    "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
    "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23" +
    ".14-.47.14-.73v-2z";

  var script =
    document.currentScript || document.querySelector("script[data-assistant-url][src*='widget.js']");
  var config = readConfig(script);
  // a widget answering from other documents keeps its own conversation
  var scope = config.documents.length ? "#" + config.documents.join(",") : "";
  var storage = sessionStore("policy-assistant:" + config.baseUrl + scope);

  var state = {
    conversationId: null, // the server's id for the current conversation
    turns: [], // ask responses, oldest first, each carrying its own conversation_id
    feedback: {}, // "conversation_id:turn" -> "up" | "down"
    busy: false,
    restored: false,
  };
  var ui = {};

  function readConfig(tag) {
    var data = (tag && tag.dataset) || {};
    var fallback = tag && tag.src ? tag.src.replace(/\/widget\.js(\?.*)?$/, "") : location.origin;
    var base = (data.assistantUrl || fallback).replace(/\/+$/, "");
    var starters = listOf(data.starters, "|");
    return {
      baseUrl: base,
      title: data.title || "Policy assistant",
      theme: ["light", "dark"].indexOf(data.theme) !== -1 ? data.theme : "auto",
      accent: data.accent && window.CSS && CSS.supports("color", data.accent) ? data.accent : null,
      position: data.position === "bottom-left" ? "bottom-left" : "bottom-right",
      starters: starters.length ? starters : null,
      documents: listOf(data.documents, ","),
    };
  }

  /** The non-blank, trimmed entries of a separated attribute value ([] when it is missing). */
  function listOf(value, separator) {
    return (value || "")
      .split(separator)
      .map(function (entry) {
        return entry.trim();
      })
      .filter(Boolean);
  }

  // ---------------------------------------------------------------- storage

  function sessionStore(prefix) {
    // sessionStorage can be missing, full or throw (sandboxed frames, privacy modes): then a value
    // lives in memory for this page only, and the next page re-fetches the transcript by its id.
    var memory = {};
    function read(key) {
      if (Object.prototype.hasOwnProperty.call(memory, key)) return memory[key];
      try {
        return window.sessionStorage.getItem(prefix + ":" + key);
      } catch (e) {
        return null;
      }
    }
    function write(key, value) {
      delete memory[key];
      try {
        if (value === null) window.sessionStorage.removeItem(prefix + ":" + key);
        else window.sessionStorage.setItem(prefix + ":" + key, value);
      } catch (e) {
        try {
          window.sessionStorage.removeItem(prefix + ":" + key); // never leave a stale copy
        } catch (ignored) {
          // no storage at all
        }
        if (value !== null) memory[key] = value;
      }
    }
    return { read: read, write: write };
  }

  function loadState() {
    state.conversationId = storage.read("conversation");
    var saved = null;
    try {
      saved = JSON.parse(storage.read("transcript") || "null");
    } catch (e) {
      saved = null;
    }
    if (saved && saved.conversationId === state.conversationId && Array.isArray(saved.turns)) {
      state.turns = saved.turns;
      state.feedback = saved.feedback || {};
      state.restored = true;
    }
  }

  function saveState() {
    storage.write("conversation", state.conversationId);
    var transcript = {
      conversationId: state.conversationId,
      turns: state.turns.slice(-MAX_STORED_TURNS),
      feedback: state.feedback,
    };
    storage.write("transcript", state.conversationId ? JSON.stringify(transcript) : null);
  }

  // ---------------------------------------------------------------- DOM helpers

  /** An element with attributes and children; strings become text nodes, never markup. */
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) return;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(path, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon " + (className || ""));
    var shape = document.createElementNS(SVG_NS, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  function hiddenText(text) {
    return h("span", { class: "vh", text: text });
  }

  function safeUrl(url) {
    // Citation links come from the server: only http(s) may become a link.
    try {
      var parsed = new URL(String(url), config.baseUrl);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function prefersReducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // ---------------------------------------------------------------- building the widget

  function build() {
    // A custom element name: host-page rules aimed at div, section or button never match it.
    var host = h("policy-assistant", { "data-theme": config.theme, "data-position": config.position });
    if (config.accent) host.style.setProperty("--pa-primary", config.accent);
    if (config.accent) host.style.setProperty("--pa-focus", config.accent);
    if (config.accent && CSS.supports("color", "color-mix(in srgb, red 80%, black)")) {
      host.style.setProperty("--pa-primary-dark", "color-mix(in srgb, " + config.accent + " 80%, black)");
    }
    host.style.display = "none"; // shown once the stylesheet has loaded, so nothing flashes unstyled
    var root = host.attachShadow({ mode: "open" });
    var sheet = h("link", { rel: "stylesheet", href: config.baseUrl + "/widget.css" });
    function reveal() {
      host.style.display = "";
    }
    sheet.addEventListener("load", reveal);
    sheet.addEventListener("error", reveal);
    root.appendChild(sheet);

    ui.root = root;
    ui.launcher = h(
      "button",
      {
        type: "button",
        class: "launcher",
        "aria-haspopup": "dialog",
        "aria-expanded": "false",
        "aria-controls": "pa-panel",
        onclick: open,
      },
      [icon(ICON_CHAT), h("span", { text: "Ask " + config.title })]
    );
    ui.log = h("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-labelledby": "pa-title",
      tabindex: "0",
    });
    ui.input = h("textarea", {
      id: "pa-question",
      class: "question",
      rows: "2",
      maxlength: "2000",
      autocomplete: "off",
      placeholder: "Type your question…",
      onkeydown: function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          submitQuestion();
        }
      },
    });
    ui.send = h("button", { type: "submit", class: "send", text: "Send" });
    ui.form = h(
      "form",
      {
        class: "composer",
        onsubmit: function (event) {
          event.preventDefault();
          submitQuestion();
        },
      },
      [h("label", { for: "pa-question", class: "vh", text: "Your question" }), ui.input, ui.send]
    );
    ui.panel = h(
      "section",
      {
        id: "pa-panel",
        class: "panel",
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": "pa-title",
        hidden: true,
        onkeydown: onPanelKeydown,
      },
      [
        h("header", { class: "header" }, [
          h("div", { class: "heading" }, [
            h("h2", { id: "pa-title", class: "title", text: config.title }),
            h("p", { class: "subtitle", text: "Answers quote the policy word for word." }),
          ]),
          h("button", {
            type: "button",
            class: "new-conversation",
            text: "New",
            "aria-label": "New conversation",
            onclick: confirmNewConversation,
          }),
          h("button", {
            type: "button",
            class: "close",
            "aria-label": "Close",
            text: "×",
            onclick: close,
          }),
        ]),
        (ui.confirm = h("div", { class: "confirm", role: "alertdialog", hidden: true, "aria-labelledby": "pa-confirm" }, [
          h("p", { id: "pa-confirm", text: "Start a new conversation? This one will be cleared." }),
          h("button", { type: "button", class: "confirm-yes", text: "Start new", onclick: function () {
            ui.confirm.hidden = true;
            newConversation();
          } }),
          h("button", { type: "button", class: "confirm-no", text: "Keep this one", onclick: function () {
            ui.confirm.hidden = true;
            ui.input.focus();
          } }),
        ])),
        ui.log,
        ui.form,
      ]
    );
    root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    document.body.appendChild(host);
    renderTranscript();
  }

  // ---------------------------------------------------------------- opening, closing, focus

  function open() {
    if (!ui.panel.hidden) return;
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    lockPageScroll(true);
    ui.input.focus();
    scrollLog();
    if (state.conversationId && !state.restored) restoreFromServer();
  }

  function close() {
    if (ui.panel.hidden) return;
    ui.panel.hidden = true;
    ui.confirm.hidden = true;
    lockPageScroll(false);
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  /** On a phone the panel covers the page: the page behind it must not scroll. */
  function lockPageScroll(lock) {
    var page = document.documentElement;
    if (lock && window.matchMedia && window.matchMedia(FULL_SCREEN).matches) {
      if (ui.savedOverflow === undefined) ui.savedOverflow = page.style.overflow;
      page.style.overflow = "hidden";
    } else if (!lock && ui.savedOverflow !== undefined) {
      page.style.overflow = ui.savedOverflow;
      ui.savedOverflow = undefined;
    }
  }

  function focusableElements() {
    var selector =
      "button, a[href], textarea, input, select, summary, [tabindex]:not([tabindex='-1'])";
    return Array.prototype.filter.call(ui.panel.querySelectorAll(selector), function (node) {
      return !node.disabled && node.getClientRects().length > 0;
    });
  }

  function onPanelKeydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    // Keep focus inside the open dialog: wrap from the last control to the first and back.
    var items = focusableElements();
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = ui.root.activeElement;
    if (event.shiftKey && (active === first || items.indexOf(active) === -1)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || items.indexOf(active) === -1)) {
      event.preventDefault();
      first.focus();
    }
  }

  function scrollLog() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  /** Scroll a long answer so that it is read from its start, not its end. */
  function revealTop(node) {
    var offset = node.getBoundingClientRect().top - ui.log.getBoundingClientRect().top;
    if (offset < 0 || node.offsetHeight > ui.log.clientHeight) {
      ui.log.scrollTop += offset - 8;
    }
  }

  // ---------------------------------------------------------------- rendering messages

  function append(node) {
    ui.log.appendChild(node);
    scrollLog();
    return node;
  }

  function renderTranscript() {
    ui.log.textContent = "";
    ui.log.appendChild(
      h("p", {
        class: "intro",
        text: "Ask me about the policy. Each answer quotes it and links to the source.",
      })
    );
    state.turns.forEach(function (turn, index) {
      ui.log.appendChild(userMessage(turn.question));
      ui.log.appendChild(answerMessage(turn, index));
    });
    if (!state.turns.length) showStarters();
    scrollLog();
  }

  /** Starter questions for an empty conversation: the embedding tag's, else the server's. */
  function showStarters() {
    var slot = ui.log.appendChild(h("div", { class: "starters" }));
    function fill(questions) {
      if (!questions.length || state.turns.length) return;
      slot.appendChild(suggestionChips(questions, "Try asking:", "start"));
    }
    if (config.starters) return fill(config.starters);
    if (!state.starters) {
      state.starters = request("GET", "/v1/starters")
        .then(function (response) {
          return response.ok ? response.json() : { questions: [] };
        })
        .then(function (data) {
          return Array.isArray(data.questions) ? data.questions.map(String) : [];
        })
        .catch(function () {
          state.starters = null; // try again next time
          return [];
        });
    }
    state.starters.then(fill);
  }

  function userMessage(question) {
    return h("div", { class: "msg user" }, [
      hiddenText("You asked: "),
      h("p", { class: "bubble", text: question }),
    ]);
  }

  function answerMessage(turn, index) {
    var citations = Array.isArray(turn.citations) ? turn.citations : [];
    var prefix = "t" + index;
    var article = h("article", { class: "msg bot", "aria-label": "Answer " + (index + 1) });
    var bubble = h("div", { class: "bubble" });
    article.appendChild(bubble);
    var kind = turn.kind || "answer";
    var resolved = resolvedQuestion(turn);
    if (resolved) bubble.appendChild(resolved);
    if (POLICY_KINDS.indexOf(kind) !== -1) {
      bubble.appendChild(verdictBadge(turn.verdict, turn.provider));
    }
    bubble.appendChild(answerText(turn.answer || "", citations, prefix));
    if (citations.length) bubble.appendChild(citationList(citations, prefix, turn.provider));
    var suggestions = Array.isArray(turn.suggestions) ? turn.suggestions : [];
    if (suggestions.length) {
      var label = kind === "clarification" ? "Did you mean:" : "You could also ask:";
      article.appendChild(suggestionChips(suggestions, label, prefix));
    }
    var link = handoffLink(turn.handoff);
    if (link) article.appendChild(link);
    if (turn.conversation_id && turn.turn) article.appendChild(feedbackControls(turn, prefix));
    return article;
  }

  /** "Answering: …" when a follow-up was answered as a rewritten standalone question. */
  function resolvedQuestion(turn) {
    var resolved = typeof turn.resolved_question === "string" ? turn.resolved_question : "";
    if (!resolved || turn.rewritten !== true) return null;
    return h("p", { class: "resolved" }, ["Answering: ", h("q", { text: resolved })]);
  }

  /** The "contact support" link the server offers on handoff turns and after a thumbs-down. */
  function handoffLink(handoff) {
    var url = handoff && safeUrl(handoff.url);
    if (!url) return null;
    return h("p", { class: "handoff" }, [
      h("a", { class: "handoff-link", href: url, target: "_blank", rel: "noopener noreferrer" }, [
        "Contact support",
        hiddenText(" (opens in a new tab)"),
      ]),
    ]);
  }

  /** A verdict's or stance's label, naming the provider where it is theirs. */
  function verdictLabel(verdict, provider) {
    var text = VERDICT_LABELS[verdict].replace("{provider}", provider || "the provider");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function verdictBadge(verdict, provider) {
    var key = Object.prototype.hasOwnProperty.call(VERDICT_LABELS, verdict) ? verdict : "unknown";
    return h("p", { class: "verdict" }, [
      h("span", { class: "badge verdict-" + key }, [
        hiddenText("Verdict: "),
        verdictLabel(key, provider),
      ]),
    ]);
  }

  /** The plain-text answer with each [n] that names a citation turned into a button. */
  function answerText(text, citations, prefix) {
    var known = {};
    citations.forEach(function (c) {
      known[c.n] = c;
    });
    var paragraph = h("p", { class: "answer" });
    var marker = /\[(\d+)\]/g;
    var at = 0;
    var match;
    while ((match = marker.exec(text)) !== null) {
      var n = Number(match[1]);
      if (!known[n]) continue;
      paragraph.appendChild(document.createTextNode(text.slice(at, match.index)));
      paragraph.appendChild(citationMarker(n, prefix));
      at = match.index + match[0].length;
    }
    paragraph.appendChild(document.createTextNode(text.slice(at)));
    return paragraph;
  }

  function citationMarker(n, prefix) {
    return h("button", {
      type: "button",
      class: "marker",
      "aria-label": "Source " + n,
      "aria-controls": prefix + "-cite-" + n,
      text: "[" + n + "]",
      onclick: function () {
        showCitation(prefix + "-cite-" + n);
      },
    });
  }

  function showCitation(id) {
    var item = ui.root.getElementById(id);
    if (!item) return;
    var details = item.querySelector("details");
    details.open = true;
    item.classList.remove("flash");
    void item.offsetWidth; // restart the highlight when the same marker is clicked again
    item.classList.add("flash");
    setTimeout(function () {
      item.classList.remove("flash");
    }, 1600);
    item.scrollIntoView({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    details.querySelector("summary").focus({ preventScroll: true });
  }

  function citationList(citations, prefix, provider) {
    var list = h("ol", { class: "citations", "aria-label": "Sources" });
    citations.forEach(function (c) {
      var url = safeUrl(c.url);
      var section = String(c.section || c.document || "Policy").split(" > ").join(" › ");
      var stance = Object.prototype.hasOwnProperty.call(VERDICT_LABELS, c.stance)
        ? verdictLabel(c.stance, provider)
        : null;
      list.appendChild(
        h("li", { id: prefix + "-cite-" + c.n, class: "citation" }, [
          h("details", {}, [
            h("summary", {}, [
              h("span", { class: "cite-n", text: "[" + c.n + "]" }),
              " ",
              h("span", { class: "cite-section", text: section }),
              c.version ? h("span", { class: "cite-version", text: " (" + c.version + ")" }) : null,
              stance ? h("span", { class: "cite-stance", text: stance }) : null,
              h("span", { class: "cite-preview", text: preview(String(c.text || "")) }),
            ]),
            h("blockquote", { class: "clause", text: String(c.text || "") }),
            url
              ? h("a", { class: "source", href: url, target: "_blank", rel: "noopener noreferrer" }, [
                  "Read it in " + String(c.document || "the policy"),
                  hiddenText(" (opens in a new tab)"),
                ])
              : null,
          ]),
        ])
      );
    });
    return list;
  }

  /** The first words of a clause, so that citations from one section can be told apart. */
  function preview(text) {
    var words = text.split(/\s+/).filter(Boolean);
    if (words.length <= CITATION_PREVIEW_WORDS) return text;
    return words.slice(0, CITATION_PREVIEW_WORDS).join(" ") + "…";
  }

  function suggestionChips(suggestions, label, prefix) {
    var chips = h("div", { class: "chips", role: "group", "aria-labelledby": prefix + "-chips" }, [
      h("p", { id: prefix + "-chips", class: "chips-label", text: label }),
    ]);
    suggestions.forEach(function (text) {
      chips.appendChild(
        h("button", {
          type: "button",
          class: "chip",
          text: String(text),
          onclick: function () {
            ask(String(text));
          },
        })
      );
    });
    return chips;
  }

  // ---------------------------------------------------------------- feedback

  function feedbackControls(turn, prefix) {
    var key = turn.conversation_id + ":" + turn.turn;
    var given = state.feedback[key];
    var status = h("p", { class: "fb-status" });
    var up = h("button", { type: "button", class: "fb up", "aria-label": "Helpful" }, [
      icon(ICON_THUMB),
    ]);
    var down = h("button", { type: "button", class: "fb down", "aria-label": "Not helpful" }, [
      icon(ICON_THUMB, "flip"),
    ]);
    var comment = h("textarea", {
      id: prefix + "-fb-comment",
      class: "fb-text",
      rows: "2",
      maxlength: String(MAX_COMMENT_CHARS),
      onkeydown: function (event) {
        if (event.key !== "Escape") return;
        event.preventDefault();
        event.stopPropagation(); // closes the comment box, not the panel
        form.hidden = true;
        down.setAttribute("aria-pressed", String(state.feedback[key] === "down"));
        down.focus();
      },
    });
    var form = h("form", { class: "fb-form", hidden: true }, [
      h("label", { for: prefix + "-fb-comment", text: "What was wrong or missing? (optional)" }),
      comment,
      h("button", { type: "submit", class: "fb-send", text: "Send feedback" }),
    ]);
    var group = h("div", { class: "feedback" }, [
      h("div", { class: "fb-buttons", role: "group", "aria-label": "Was this answer helpful?" }, [
        h("span", { class: "fb-label", "aria-hidden": "true", text: "Helpful?" }),
        up,
        down,
      ]),
      form,
      status,
    ]);

    function settle(rating) {
      // one rating per turn; choosing the other thumb replaces it
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
      form.hidden = true;
      status.textContent = "Thanks for your feedback.";
    }

    function send(rating, text) {
      var buttons = [up, down, form.querySelector("button")];
      buttons.forEach(function (b) {
        b.disabled = true;
      });
      status.textContent = "Sending…";
      var body = { conversation_id: turn.conversation_id, turn: turn.turn, rating: rating };
      if (text) body.comment = text;
      request("POST", "/v1/feedback", body)
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json().catch(function () {
            return {};
          });
        })
        .then(function (data) {
          state.feedback[key] = rating;
          saveState();
          settle(rating);
          var link = handoffLink(data && data.handoff);
          if (link) group.appendChild(link);
        })
        .catch(function () {
          status.textContent = "Couldn't send your feedback. Please try again.";
        })
        .finally(function () {
          buttons.forEach(function (b) {
            b.disabled = false;
          });
        });
    }

    up.addEventListener("click", function () {
      if (state.feedback[key] !== "up") send("up");
    });
    down.addEventListener("click", function () {
      down.setAttribute("aria-pressed", "true");
      form.hidden = false;
      comment.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send("down", comment.value.trim());
    });
    if (given) settle(given);
    else {
      up.setAttribute("aria-pressed", "false");
      down.setAttribute("aria-pressed", "false");
    }
    return group;
  }

  // ---------------------------------------------------------------- talking to the server

  function request(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    var init = { method: method, headers: { Accept: "application/json" }, credentials: "omit" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (controller) init.signal = controller.signal;
    // The widget's own anonymous surface (/widget/v1/*): /v1/* may require an API key.
    return fetch(config.baseUrl + "/widget" + path, init).finally(function () {
      clearTimeout(timer);
    });
  }

  /** The error code and message from a `{"error": {"code", "message"}}` body, when there is one. */
  function readError(response) {
    return response
      .json()
      .then(function (data) {
        var error = (data && data.error) || {};
        return { status: response.status, code: error.code || "", message: error.message || "" };
      })
      .catch(function () {
        return { status: response.status, code: "", message: "" };
      });
  }

  function postAsk(question) {
    var body = { question: question, conversation_id: state.conversationId };
    if (config.documents.length) body.documents = config.documents;
    return request("POST", "/v1/ask", body).then(function (response) {
      if (response.ok) return response.json();
      return readError(response).then(function (error) {
        throw error;
      });
    });
  }

  function setBusy(busy) {
    state.busy = busy;
    if (busy) ui.send.setAttribute("aria-disabled", "true");
    else ui.send.removeAttribute("aria-disabled");
  }

  function submitQuestion() {
    var question = ui.input.value.trim();
    if (!question || state.busy) return;
    ui.input.value = "";
    ask(question);
  }

  function ask(question, isRetry) {
    if (state.busy) return;
    open();
    setBusy(true);
    var starters = ui.log.querySelector(".starters");
    if (starters) starters.remove(); // the conversation has begun
    if (!isRetry) append(userMessage(question));
    var typing = append(
      h("div", { class: "msg bot typing" }, [
        h("span", { class: "dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
        h("span", { class: "typing-text", text: "Looking that up in the policy…" }),
      ])
    );
    postAsk(question)
      .catch(function (error) {
        // An expired or unknown conversation: start a new one and ask again, once.
        if (error && error.code === "conversation_not_found" && state.conversationId) {
          state.conversationId = null;
          append(h("p", { class: "note", text: "That conversation had expired, so a new one started." }));
          return postAsk(question);
        }
        throw error;
      })
      .then(function (answer) {
        typing.remove();
        state.conversationId = answer.conversation_id;
        state.turns.push(answer);
        state.restored = true;
        saveState();
        revealTop(append(answerMessage(answer, state.turns.length - 1)));
      })
      .catch(function (error) {
        typing.remove();
        append(errorMessage(error, question));
      })
      .finally(function () {
        setBusy(false);
      });
  }

  function errorMessage(error, question) {
    var status = (error && error.status) || 0;
    var text;
    var canRetry = true;
    if (!status) {
      text = "Couldn't reach the policy assistant. Check your connection and try again.";
    } else if (status === 503) {
      text = "The policy assistant is starting up or busy. Try again in a moment.";
    } else if (status >= 500) {
      text = "The policy assistant ran into a problem (error " + status + "). Try again.";
    } else if (status === 408 || status === 429) {
      text = "The policy assistant is busy right now. Try again in a moment.";
    } else {
      canRetry = false;
      text =
        "The policy assistant couldn't take that question (" +
        (error.message || "error " + status) +
        ").";
    }
    var message = h("div", { class: "msg error" }, [h("p", { class: "bubble", text: text })]);
    if (canRetry) {
      message.appendChild(
        h("button", {
          type: "button",
          class: "retry",
          text: "Retry",
          onclick: function () {
            if (state.busy) return;
            message.remove();
            ask(question, true);
          },
        })
      );
    }
    return message;
  }

  function restoreFromServer() {
    // The conversation id survived but its transcript did not (cleared or too large to keep).
    var loading = append(h("p", { class: "note", text: "Loading your conversation…" }));
    var id = state.conversationId;
    setBusy(true); // a question asked meanwhile would be wiped by the re-render
    request("GET", "/v1/conversations/" + encodeURIComponent(id))
      .then(function (response) {
        if (response.status === 404) return { turns: null };
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (state.conversationId !== id) return; // a new conversation started meanwhile
        if (data.turns === null) state.conversationId = null; // expired: start afresh
        else {
          state.turns = data.turns.map(function (turn) {
            return Object.assign({ conversation_id: id }, turn);
          });
        }
        state.restored = true;
        saveState();
        renderTranscript();
      })
      .catch(function () {
        loading.textContent = "Couldn't load your earlier messages. New questions still work.";
      })
      .finally(function () {
        setBusy(false);
      });
  }

  function confirmNewConversation() {
    if (!state.turns.length) return newConversation();
    ui.confirm.hidden = false;
    ui.confirm.querySelector(".confirm-no").focus();
  }

  function newConversation() {
    state.conversationId = null;
    state.turns = [];
    state.feedback = {};
    state.restored = true;
    saveState();
    renderTranscript();
    ui.input.focus();
  }

  // ---------------------------------------------------------------- start

  function start() {
    loadState();
    build();
    window.PolicyAssistant = {
      open: open,
      close: close,
      ask: function (question) {
        var text = String(question || "").trim();
        if (text) ask(text);
      },
      newConversation: newConversation,
    };
  }

  window.PolicyAssistant = { pending: true };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
