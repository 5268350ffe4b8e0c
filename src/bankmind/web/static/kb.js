// The knowledge assistant page (/kb). Hand-written, no framework; a file because the
// Content-Security-Policy forbids inline scripts.
//
// 1. The question form posts to /api/kb/{kb}/ask with {"stream": true} and reads the server-sent
//    events from the response body: "delta" (a verified sentence, shown as it comes), "answer" (the
//    whole answer, which REPLACES what was streamed), "done", or "error".
// 2. The final answer is built with the same markup as templates/kb/_turn.html (which renders it
//    on the server when JavaScript is off): numbered markers [n], a list of sources, each holding
//    its passage with the highlighted sentences in <mark>.
// 3. Clicking a marker opens the side panel (#kb-source) with that passage.
// 4. The knowledge-base selector switches on change; an upload form is cleared once sent.
//
// Answers and passages are untrusted text: they only ever go into textContent, never innerHTML.
(function () {
  "use strict";

  var form = document.getElementById("kb-ask");
  var thread = document.getElementById("kb-thread");
  var panel = document.getElementById("kb-source");
  var layout = document.getElementById("kb-layout");

  // the knowledge-base selector switches as soon as another one is chosen
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
  // administrators: once htmx has sent an upload, clear the chosen files (the job shows them)
  var upload = document.getElementById("kb-upload");
  if (upload) {
    upload.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) upload.elements.files.value = "";
    });
  }
  if (!form || !thread || !panel) return;

  var text = form.dataset; // messages in the page's language: data-t-*
  var turns = thread.querySelectorAll(".kb-turn").length;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = content;
    return node;
  }

  // The passage as text and <mark> runs: every occurrence of a highlighted sentence is marked.
  function markPassage(target, passage, highlights) {
    var spans = [];
    (highlights || []).forEach(function (sentence) {
      sentence = (sentence || "").trim();
      if (!sentence) return;
      var at = passage.indexOf(sentence);
      while (at !== -1) {
        spans.push([at, at + sentence.length]);
        at = passage.indexOf(sentence, at + sentence.length);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var done = 0;
    spans.forEach(function (span) {
      if (span[1] <= done) return;
      var start = Math.max(span[0], done);
      if (start > done) target.appendChild(document.createTextNode(passage.slice(done, start)));
      target.appendChild(el("mark", null, passage.slice(start, span[1])));
      done = span[1];
    });
    if (done < passage.length) target.appendChild(document.createTextNode(passage.slice(done)));
  }

  // The answer's text with its [n] markers as links to the n-th source of this turn.
  function fillAnswer(target, answer, turnId) {
    var pattern = /\[(\d{1,3})\]/g;
    var at = 0;
    var match;
    target.textContent = "";
    while ((match = pattern.exec(answer.answer)) !== null) {
      var number = parseInt(match[1], 10);
      if (number < 1 || number > answer.citations.length) continue;
      target.appendChild(document.createTextNode(answer.answer.slice(at, match.index)));
      var link = el("a", "kb-cite", "[" + number + "]");
      link.href = "#" + turnId + "-c" + number;
      link.dataset.cite = String(number);
      target.appendChild(link);
      at = match.index + match[0].length;
    }
    target.appendChild(document.createTextNode(answer.answer.slice(at)));
  }

  function pageLabel(page) {
    return page ? text.tPage.replace("{n}", String(page)) : "";
  }

  function sources(answer, turnId) {
    var list = el("ol", "kb-citations");
    list.setAttribute("aria-label", text.tSources);
    answer.citations.forEach(function (citation, i) {
      var item = el("li", "kb-citation");
      item.id = turnId + "-c" + (i + 1);
      item.dataset.title = citation.title || "";
      item.dataset.locator = citation.locator || "";
      item.dataset.document = citation.document || "";
      item.dataset.page = pageLabel(citation.page);
      var details = el("details");
      var summary = el("summary");
      var label = (citation.title ? "《" + citation.title + "》" : "") + citation.locator;
      if (citation.page) label += " · " + pageLabel(citation.page);
      summary.appendChild(el("span", "kb-cite-source", label));
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(el("span", "muted small", citation.document));
      var quote = el("blockquote", "kb-passage");
      markPassage(quote, citation.text, citation.highlights);
      details.appendChild(summary);
      details.appendChild(quote);
      item.appendChild(details);
      list.appendChild(item);
    });
    return list;
  }

  // Replace the reply (streamed sentences, or the waiting note) with the final answer.
  function showAnswer(reply, answer, turnId) {
    reply.textContent = "";
    reply.className = "kb-reply kb-mode-" + answer.mode + (answer.refused ? " kb-refused" : "");
    reply.dataset.mode = answer.mode;
    if (answer.refused) reply.appendChild(el("p", "kb-refused-title", text.tRefused));
    var body = el("p", "kb-answer-text");
    fillAnswer(body, answer, turnId);
    reply.appendChild(body);
    var note = answer.refused
      ? text.tRefusedHint
      : answer.mode === "generated"
        ? text.tGenerated
        : answer.note // a chat model is configured but could not be used
          ? text.tFallback
          : text.tExtractive;
    reply.appendChild(el("p", "kb-note muted small", note));
    if (answer.citations.length) reply.appendChild(sources(answer, turnId));
  }

  function showError(reply, message) {
    reply.textContent = "";
    reply.className = "kb-reply";
    var box = el("div", "alert alert-error");
    box.setAttribute("role", "alert");
    box.appendChild(el("strong", null, text.tFailed));
    box.appendChild(el("p", null, message));
    reply.appendChild(box);
  }

  // Read "event: NAME\ndata: JSON\n\n" blocks from the response body; call onEvent(name, data).
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var name = "message";
        var data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event: ") === 0) name = line.slice(7);
          else if (line.indexOf("data: ") === 0) data += line.slice(6);
        });
        onEvent(name, data ? JSON.parse(data) : {});
      }
    }
  }

  var history = []; // this page's earlier questions and answers, oldest first

  async function ask(question) {
    var turnId = "kb-turn-" + ++turns;
    var turn = el("article", "kb-turn");
    turn.id = turnId;
    var asked = el("p", "kb-question");
    asked.appendChild(el("span", "kb-who", text.tYou));
    asked.appendChild(document.createTextNode(" " + question));
    var reply = el("div", "kb-reply kb-pending");
    reply.appendChild(el("p", "loading", text.tAsking));
    turn.appendChild(asked);
    turn.appendChild(reply);
    thread.appendChild(turn);
    turn.scrollIntoView({ block: "nearest" });

    var streamed = null; // the sentences so far, until the final answer replaces them
    var finished = false;
    try {
      var response = await fetch(form.dataset.api, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream",
          "X-CSRF-Token": form.elements.csrf_token.value,
        },
        // earlier turns let the chat model make a follow-up ("那II类户呢？") a whole question
        body: JSON.stringify({ question: question, stream: true, history: history.slice(-4) }),
        credentials: "same-origin",
      });
      if (!response.ok) {
        var problem = await response.json().catch(function () { return {}; });
        showError(reply, (problem.error && problem.error.message) || response.statusText);
        return;
      }
      await readEvents(response, function (name, data) {
        if (name === "delta") {
          if (streamed === null) {
            reply.textContent = "";
            streamed = el("p", "kb-answer-text kb-streaming");
            reply.appendChild(streamed);
          }
          streamed.textContent += data.text;
        } else if (name === "answer") {
          showAnswer(reply, data, turnId);
          history.push({ question: question, answer: data.answer.slice(0, 2000) });
          finished = true;
        } else if (name === "error") {
          showError(reply, data.error.message);
          finished = true;
        }
      });
      if (!finished) showError(reply, text.tNetwork); // the stream ended before the answer
    } catch (err) {
      showError(reply, text.tNetwork);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = form.elements.question;
    var question = box.value.trim();
    if (!question) return;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.value = "";
    ask(question).finally(function () {
      button.disabled = false;
      box.focus();
    });
  });

  // Enter asks, Shift+Enter starts a new line (not while an input method is composing).
  form.elements.question.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // A citation marker opens its passage in the side panel.
  function openSource(item) {
    panel.querySelector("#kb-source-title").textContent = item.dataset.title || item.dataset.document;
    var meta = [item.dataset.locator, item.dataset.page, item.dataset.document].filter(Boolean);
    panel.querySelector(".kb-source-meta").textContent = meta.join(" · ");
    var quote = panel.querySelector(".kb-passage");
    quote.textContent = "";
    item.querySelector(".kb-passage").childNodes.forEach(function (node) {
      quote.appendChild(node.cloneNode(true));
    });
    thread.querySelectorAll(".kb-citation.kb-active").forEach(function (other) {
      other.classList.remove("kb-active");
    });
    item.classList.add("kb-active");
    panel.hidden = false;
    layout.classList.add("kb-panel-open");
    var mark = quote.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "nearest" });
  }

  thread.addEventListener("click", function (event) {
    var link = event.target.closest("a.kb-cite");
    if (!link) return;
    var item = document.getElementById(link.getAttribute("href").slice(1));
    if (!item) return;
    event.preventDefault();
    openSource(item);
  });

  panel.querySelector(".kb-source-close").addEventListener("click", function () {
    panel.hidden = true;
    layout.classList.remove("kb-panel-open");
  });
})();
