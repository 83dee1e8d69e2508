#include "models/live/openai.hpp"

#include "models/live/chunk_scanner.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace specsim::models::live {

namespace {

using nlohmann::json;

// Bad answers are quoted in errors, but only a little of them: they may be huge.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 120;
  std::string s(text.substr(0, kMax));
  if (text.size() > kMax) s += "...";
  return s;
}

json parse_json(std::string_view text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ProtocolError(std::string(what) + " is not JSON: " + excerpt(text));
  if (!j.is_object()) throw ProtocolError(std::string(what) + " is not a JSON object: " + excerpt(text));
  return j;
}

// A string member, or "" when absent or null; anything else is a protocol error.
std::string string_at(const json& j, const char* key, const char* where) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw ProtocolError(std::string(where) + "." + key + ": expected a string");
  return it->get<std::string>();
}

std::optional<Usage> usage_of(const json& j) {
  const auto it = j.find("usage");
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) throw ProtocolError("usage: expected an object");
  Usage u;
  for (auto [key, out] : {std::pair{"prompt_tokens", &u.prompt_tokens}, std::pair{"completion_tokens", &u.completion_tokens}}) {
    const auto v = it->find(key);
    if (v == it->end() || !v->is_number_integer() || v->get<std::int64_t>() < 0)
      throw ProtocolError(std::string("usage.") + key + ": expected a non-negative integer");
    *out = v->get<std::int64_t>();
  }
  return u;
}

const json& first_choice(const json& j, const char* where) {
  const auto it = j.find("choices");
  if (it == j.end() || !it->is_array()) throw ProtocolError(std::string(where) + ": no choices array");
  if (it->empty()) throw ProtocolError(std::string(where) + ": choices is empty");
  if (!it->front().is_object()) throw ProtocolError(std::string(where) + ".choices[0]: expected an object");
  return it->front();
}

// `choice.logprobs.content[]` appended to `out`: nothing when `logprobs` is absent or null.
void read_logprobs(const json& choice, std::optional<std::vector<TokenLogprob>>& out) {
  const auto lp = choice.find("logprobs");
  if (lp == choice.end() || lp->is_null()) return;
  if (!lp->is_object()) throw ProtocolError("choices[0].logprobs: expected an object");
  const auto content = lp->find("content");
  if (content == lp->end() || content->is_null()) return;
  if (!content->is_array()) throw ProtocolError("choices[0].logprobs.content: expected an array");
  if (!out) out.emplace();
  for (const auto& t : *content) {
    const auto v = t.is_object() ? t.find("logprob") : t.end();
    if (v == t.end() || !v->is_number() || !(v->get<double>() <= 0))
      throw ProtocolError("choices[0].logprobs.content[]: expected {token, logprob <= 0}");
    out->push_back({string_at(t, "token", "logprobs.content[]"), v->get<double>()});
  }
}

}  // namespace

std::string request_body(const ChatRequest& r) {
  json j;
  j["model"] = r.model;
  j["messages"] = json::array();
  for (const auto& m : r.messages) j["messages"].push_back({{"role", m.role}, {"content", m.content}});
  j["stream"] = r.stream;
  if (r.stream && r.include_usage) j["stream_options"] = {{"include_usage", true}};
  if (r.max_tokens) j["max_tokens"] = *r.max_tokens;
  if (r.temperature) j["temperature"] = *r.temperature;
  if (!r.tools.is_null()) j["tools"] = r.tools;
  if (r.logprobs) j["logprobs"] = true;
  return j.dump();
}

ChatRequest parse_request(std::string_view body) {
  const json j = parse_json(body, "request body");
  ChatRequest r;
  r.model = string_at(j, "model", "request");
  if (r.model.empty()) throw ProtocolError("model: required");
  const auto msgs = j.find("messages");
  if (msgs == j.end() || !msgs->is_array() || msgs->empty()) throw ProtocolError("messages: expected a non-empty array");
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    const json& m = (*msgs)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw ProtocolError(where + ": expected an object");
    ChatMessage msg{string_at(m, "role", where.c_str()), {}};
    const auto c = m.find("content");
    if (c != m.end() && c->is_string()) {
      msg.content = c->get<std::string>();
    } else if (c != m.end() && c->is_array()) {  // content parts: the text ones, concatenated
      for (const auto& part : *c)
        if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string())
          msg.content += part["text"].get<std::string>();
    } else if (c != m.end() && !c->is_null()) {
      throw ProtocolError(where + ".content: expected a string or an array of parts");
    }
    r.messages.push_back(std::move(msg));
  }
  if (const auto s = j.find("stream"); s != j.end() && !s->is_null()) {
    if (!s->is_boolean()) throw ProtocolError("stream: expected a boolean");
    r.stream = s->get<bool>();
  } else {
    r.stream = false;  // OpenAI's default
  }
  const auto opts = j.find("stream_options");
  r.include_usage = opts != j.end() && opts->is_object() && opts->value("include_usage", false) == true;
  if (const auto m = j.find("max_tokens"); m != j.end() && m->is_number_integer()) r.max_tokens = m->get<std::int64_t>();
  if (const auto t = j.find("temperature"); t != j.end() && t->is_number()) r.temperature = t->get<double>();
  if (const auto t = j.find("tools"); t != j.end()) r.tools = *t;
  if (const auto l = j.find("logprobs"); l != j.end() && !l->is_null()) {
    if (!l->is_boolean()) throw ProtocolError("logprobs: expected a boolean");
    r.logprobs = l->get<bool>();
  }
  return r;
}

std::string StreamAccumulator::add(std::string_view data) {
  if (done_) throw ProtocolError("data after [DONE]");
  if (data == "[DONE]") {
    done_ = true;
    return {};
  }
  if (auto c = scan_chunk(data)) {  // the usual chunk, read without a document
    if (c->usage) result_.usage = Usage{c->usage->prompt_tokens, c->usage->completion_tokens};
    if (result_.model.empty()) result_.model = std::move(c->model);
    if (!c->finish_reason.empty()) result_.finish_reason = std::move(c->finish_reason);
    if (!c->content.empty()) {
      result_.content += c->content;
      ++chunks_;
    }
    return std::move(c->content);
  }
  const json j = parse_json(data, "stream chunk");
  if (const auto e = j.find("error"); e != j.end())
    throw ProtocolError("error in stream: " + (e->is_object() ? e->value("message", e->dump()) : e->dump()));
  if (auto u = usage_of(j)) result_.usage = u;
  if (result_.model.empty()) result_.model = string_at(j, "model", "chunk");
  const auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array()) throw ProtocolError("stream chunk: no choices array: " + excerpt(data));
  if (choices->empty()) return {};  // the usage chunk
  const json& choice = first_choice(j, "chunk");
  if (const std::string fr = string_at(choice, "finish_reason", "chunk.choices[0]"); !fr.empty()) result_.finish_reason = fr;
  read_logprobs(choice, result_.logprobs);
  const auto delta = choice.find("delta");
  if (delta == choice.end() || delta->is_null()) return {};
  if (!delta->is_object()) throw ProtocolError("chunk.choices[0].delta: expected an object");
  std::string content = string_at(*delta, "content", "delta");
  if (!content.empty()) {
    result_.content += content;
    ++chunks_;
  }
  if (const auto calls = delta->find("tool_calls"); calls != delta->end() && calls->is_array()) {
    for (const auto& c : *calls) {
      if (!c.is_object()) throw ProtocolError("delta.tool_calls[]: expected an object");
      const std::string index = c.contains("index") ? c["index"].dump() : std::to_string(tool_indexes_.size());
      auto it = std::find(tool_indexes_.begin(), tool_indexes_.end(), index);
      if (it == tool_indexes_.end()) {
        tool_indexes_.push_back(index);
        result_.tool_calls.emplace_back();
        it = tool_indexes_.end() - 1;
      }
      ToolCall& tc = result_.tool_calls[static_cast<std::size_t>(it - tool_indexes_.begin())];
      tc.id += string_at(c, "id", "tool_call");
      if (const auto f = c.find("function"); f != c.end() && f->is_object()) {
        tc.name += string_at(*f, "name", "tool_call.function");
        tc.arguments += string_at(*f, "arguments", "tool_call.function");
      }
    }
  }
  return content;
}

ChatResult parse_response(std::string_view body) {
  const json j = parse_json(body, "response body");
  if (const auto e = j.find("error"); e != j.end()) throw ProtocolError("error answer: " + error_message(body));
  ChatResult r;
  r.model = string_at(j, "model", "response");
  r.usage = usage_of(j);
  const json& choice = first_choice(j, "response");
  r.finish_reason = string_at(choice, "finish_reason", "choices[0]");
  read_logprobs(choice, r.logprobs);
  const auto msg = choice.find("message");
  if (msg == choice.end() || !msg->is_object()) throw ProtocolError("choices[0].message: expected an object");
  r.content = string_at(*msg, "content", "message");
  if (const auto calls = msg->find("tool_calls"); calls != msg->end() && calls->is_array()) {
    for (const auto& c : *calls) {
      if (!c.is_object()) throw ProtocolError("message.tool_calls[]: expected an object");
      ToolCall tc{string_at(c, "id", "tool_call"), {}, {}};
      if (const auto f = c.find("function"); f != c.end() && f->is_object()) {
        tc.name = string_at(*f, "name", "tool_call.function");
        tc.arguments = string_at(*f, "arguments", "tool_call.function");
      }
      r.tool_calls.push_back(std::move(tc));
    }
  }
  return r;
}

std::string error_message(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    const auto e = j.find("error");
    if (e != j.end() && e->is_object() && e->contains("message") && (*e)["message"].is_string())
      return excerpt((*e)["message"].get<std::string>());
    if (e != j.end() && e->is_string()) return excerpt(e->get<std::string>());
  }
  return excerpt(body);
}

namespace {

// A JSON string literal (quotes and escapes), without building a document.
std::string json_string(std::string_view s) { return json(s).dump(); }

// `{"content":[{"token":...,"logprob":...,"bytes":null,"top_logprobs":[]}, ...]}`.
std::string logprobs_json(const std::vector<TokenLogprob>& tokens) {
  std::string out = R"({"content":[)";
  for (std::size_t i = 0; i < tokens.size(); ++i)
    out += fmt::format(R"({}{{"bytes":null,"logprob":{},"token":{},"top_logprobs":[]}})", i ? "," : "",
                       json(tokens[i].logprob).dump(), json_string(tokens[i].token));
  return out + "]}";
}

std::string usage_json(std::int64_t prompt, std::int64_t completion) {
  return fmt::format(R"({{"completion_tokens":{},"prompt_tokens":{},"total_tokens":{}}})", completion, prompt, prompt + completion);
}

}  // namespace

// Chunks are written directly rather than through a json document: a served stream makes one per
// token, and the document (a std::map per object) cost the server about 37,000 instructions per
// chunk. Keys are in the order nlohmann's dump gave them (sorted), so the bytes are unchanged.
std::string chunk_json(const std::string& id, const std::string& model, std::int64_t created,
                       std::string_view content, const char* finish_reason, const Usage* prompt_usage,
                       const double* logprob) {
  const std::string delta = finish_reason == nullptr ? R"({"content":)" + json_string(content) + R"(,"role":"assistant"})" : "{}";
  const std::string logprobs = logprob ? R"(,"logprobs":)" + logprobs_json({{std::string(content), *logprob}}) : "";
  std::string out = fmt::format(R"({{"choices":[{{"delta":{},"finish_reason":{},"index":0{}}}],"created":{},"id":{},"model":{},"object":"chat.completion.chunk")",
                                delta, finish_reason ? json_string(finish_reason) : "null", logprobs, created, json_string(id), json_string(model));
  if (prompt_usage) out += R"(,"usage":)" + usage_json(prompt_usage->prompt_tokens, 0);
  return out + "}";
}

std::string usage_chunk_json(const std::string& id, const std::string& model, std::int64_t created, const Usage& u) {
  return fmt::format(R"({{"choices":[],"created":{},"id":{},"model":{},"object":"chat.completion.chunk","usage":{}}})", created,
                     json_string(id), json_string(model), usage_json(u.prompt_tokens, u.completion_tokens));
}

std::string response_json(const std::string& id, const std::string& model, std::int64_t created,
                          const std::string& content, const Usage& u, const std::vector<TokenLogprob>* logprobs) {
  json choice = {{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}};
  if (logprobs) choice["logprobs"] = json::parse(logprobs_json(*logprobs));
  return json{{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", model},
              {"choices", json::array({choice})},
              {"usage", {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens},
                         {"total_tokens", u.prompt_tokens + u.completion_tokens}}}}.dump();
}

std::string error_json(const std::string& message, const std::string& type) {
  return json{{"error", {{"message", message}, {"type", type}, {"code", nullptr}}}}.dump();
}

}  // namespace specsim::models::live
