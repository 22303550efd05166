// SPDX-License-Identifier: GPL-2.0-only
// Manual pages and shell completions made from the command line's own definitions (the CLI11
// apps cli.cc builds), so an option added there is documented and completed everywhere at once.
#include "cli-docs.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "error.h"
#include "kexec-compat.h"

namespace styx::cli {
namespace {

// roff treats a leading '.' or '\'' as a request and '\' as an escape; '-' in option names must
// be "\-" so that man pages can be searched and copied.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  auto subs = app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
  return {subs.begin(), subs.end()};
}

std::vector<const CLI::Option*> documented_options(const CLI::App& app) {
  return app.get_options([&app](const CLI::Option* o) {
    return o != app.get_help_ptr() && o != app.get_help_all_ptr() && !o->get_group().empty();
  });
}

// "build" under "styx", "ima show" under "styx ima".
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* p = app.get_parent(); p; p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

std::string page_name(const CLI::App& app) {
  std::string name = command_path(app);
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

std::string option_synopsis(const CLI::Option& o) {
  std::string s = o.get_positional() ? o.get_name(true) : o.get_name(false, true);
  if (!o.get_positional() && o.get_items_expected_max() > 0) s += " " + o.get_type_name();
  return o.get_required() ? s : "[" + s + "]";
}

constexpr const char* kExitStatus =
    ".SH EXIT STATUS\n"
    ".TP\n0\ndone\n"
    ".TP\n1\na digest mismatch or a failure the purgatory reported (nothing is loaded)\n"
    ".TP\n2\nbad input, and everything else that stops a command; the refusal is one line on "
    "standard error that names the file or option and the problem\n";

std::string man_page(const CLI::App& app, const std::string& date) {
  std::ostringstream m;
  const std::string name = page_name(app);
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  m << ".TH " << roff(upper) << " 1 \"" << date << "\" \"styx " STYX_VERSION "\" \"Styx\"\n";
  m << ".SH NAME\n"
    << roff(name) << " \\- "
    << roff(app.get_description().substr(0, app.get_description().find('\n'))) << "\n";
  m << ".SH SYNOPSIS\n.B " << roff(command_path(app)) << "\n";
  const auto subs = visible_subcommands(app);
  if (!subs.empty()) m << "COMMAND ";
  for (const CLI::Option* o : documented_options(app)) m << roff(option_synopsis(*o)) << " ";
  m << "\n.SH DESCRIPTION\n" << roff(app.get_description()) << "\n";
  if (!subs.empty()) {
    m << ".SH COMMANDS\n";
    for (const CLI::App* s : subs)
      m << ".TP\n.BR " << roff(page_name(*s)) << " (1)\n" << roff(s->get_description()) << "\n";
  }
  const auto options = documented_options(app);
  if (!options.empty()) {
    m << ".SH OPTIONS\n";
    for (const CLI::Option* o : options) {
      m << ".TP\n.B " << roff(o->get_positional() ? o->get_name(true) : o->get_name(false, true));
      if (!o->get_positional() && o->get_items_expected_max() > 0)
        m << " " << roff(o->get_type_name());
      m << "\n" << roff(o->get_description());
      if (!o->get_default_str().empty()) m << " (default: " << roff(o->get_default_str()) << ")";
      m << "\n";
    }
  }
  m << kExitStatus;
  m << ".SH SEE ALSO\n";
  if (app.get_parent())
    m << ".BR " << roff(page_name(*app.get_parent())) << " (1)";
  else
    m << ".BR styx\\-kexec (1)";
  m << "\n";
  return m.str();
}

// kexec-tools' command line has its own usage text (kexec-compat.cc); the page shows it as is.
std::string kexec_man_page(const std::string& date) {
  std::ostringstream usage, err;
  run_kexec_compat({"--help"}, usage, err);
  std::ostringstream m;
  m << ".TH STYX\\-KEXEC 1 \"" << date << "\" \"styx " STYX_VERSION "\" \"Styx\"\n"
    << ".SH NAME\nstyx\\-kexec, kexec \\- kexec\\-tools' command line, checked by Styx\n"
    << ".SH SYNOPSIS\n.B kexec\n[OPTION]... [kernel]\n.br\n.B styx kexec\n[OPTION]... [kernel]\n"
    << ".SH DESCRIPTION\nRun as\n.B kexec\n(a link to styx) or as\n.BR \"styx kexec\" ,\n"
    << "styx takes the options scripts and systemd give kexec\\-tools, with their meaning and "
       "exit status, and loads through Styx's purgatory.\n"
    << ".PP\n.nf\n"
    << roff(usage.str()) << ".fi\n"
    << ".SH EXIT STATUS\n0 done, 1 failed; with\n.BR \\-S :\n1 loaded, 0 not loaded.\n"
    << ".SH SEE ALSO\n.BR styx (1),\n.BR styx\\-load (1),\n.BR styx\\-exec (1)\n";
  return m.str();
}

void collect(const CLI::App& app, std::vector<const CLI::App*>& all) {
  all.push_back(&app);
  for (const CLI::App* s : visible_subcommands(app)) collect(*s, all);
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> option_names(const CLI::App& app) {
  // kexec-tools' options are parsed by getopt, not CLI11: kexec-compat.cc lists them.
  if (command_path(app) == "styx kexec") return kexec_option_names();
  std::vector<std::string> names;
  for (const CLI::Option* o : documented_options(app)) {
    if (o->get_positional()) continue;
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
    for (const std::string& n : o->get_snames()) names.push_back("-" + n);
  }
  names.push_back("--help");
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* s : visible_subcommands(app)) names.push_back(s->get_name());
  return names;
}

// The shell loop that follows the subcommands typed so far into $path; `word` is the shell's
// expression for the I-th word, `first` and `count` the loop's bounds.
void follow_subcommands(std::ostream& o, const CLI::App& app, const std::string& word,
                        const std::string& first, const std::string& count) {
  std::vector<const CLI::App*> all;
  collect(app, all);
  o << "  for ((i = " << first << "; i < " << count << "; i++)); do\n"
    << "    case \"$path " << word << "\" in\n";
  for (const CLI::App* a : all)
    if (a != &app) o << "      \"" << command_path(*a) << "\") path=\"$path " << word << "\";;\n";
  o << "    esac\n  done\n";
}

std::string bash_completion(const CLI::App& app) {
  std::vector<const CLI::App*> all;
  collect(app, all);
  std::ostringstream b;
  b << "# bash completion for styx, made by `styx docs bash`\n"
    << "_styx() {\n"
    << "  local cur=${COMP_WORDS[COMP_CWORD]} path=styx i\n";
  follow_subcommands(b, app, "${COMP_WORDS[i]}", "1", "COMP_CWORD");
  b << "  local words\n"
    << "  case \"$path\" in\n";
  for (const CLI::App* a : all) {
    std::vector<std::string> w = subcommand_names(*a);
    for (const std::string& o : option_names(*a)) w.push_back(o);
    b << "    \"" << command_path(*a) << "\") words=\"" << words(w) << "\";;\n";
  }
  b << "  esac\n"
    << "  if [[ $cur == -* || -n $words && $cur != */* ]]; then\n"
    << "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
    << "    [[ ${#COMPREPLY[@]} -gt 0 ]] && return\n"
    << "  fi\n"
    << "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
    << "}\n"
    << "complete -o filenames -F _styx styx\n";
  return b.str();
}

std::string zsh_completion(const CLI::App& app) {
  std::vector<const CLI::App*> all;
  collect(app, all);
  std::ostringstream z;
  z << "#compdef styx\n# zsh completion for styx, made by `styx docs zsh`\n"
    << "_styx() {\n"
    << "  local path=styx i\n";
  follow_subcommands(z, app, "${words[i]}", "2", "CURRENT");
  z << "  case \"$path\" in\n";
  for (const CLI::App* a : all) {
    z << "    \"" << command_path(*a) << "\")\n";
    const auto subs = visible_subcommands(*a);
    if (!subs.empty()) {
      z << "      local -a commands=(";
      for (const CLI::App* s : subs) {
        std::string d = s->get_description().substr(0, s->get_description().find('\n'));
        std::replace(d.begin(), d.end(), '\'', ' ');
        std::replace(d.begin(), d.end(), ':', ' ');
        z << " '" << s->get_name() << ":" << d.substr(0, 70) << "'";
      }
      z << " )\n      _describe command commands\n";
    }
    z << "      compadd -- " << words(option_names(*a)) << "\n      _files;;\n";
  }
  z << "  esac\n}\n_styx \"$@\"\n";
  return z.str();
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream f(file);
  f << text;
  if (!f.flush()) throw host::InputError(file.string() + ": cannot write");
}

}  // namespace

int write_docs(const CLI::App& app, const std::string& what, const std::string& dir,
               std::ostream& out) {
  // SOURCE_DATE_EPOCH, as reproducible builds set it; else no date at all.
  std::string date;
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    const time_t t = static_cast<time_t>(std::strtoll(epoch, nullptr, 10));
    char buf[16];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t))) date = buf;
  }
  if (what == "bash") {
    out << bash_completion(app);
  } else if (what == "zsh") {
    out << zsh_completion(app);
  } else if (what == "man") {
    if (dir.empty()) throw host::InputError("styx docs man: give the directory to write to");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) throw host::InputError(dir + ": not a directory");
    std::vector<const CLI::App*> all;
    collect(app, all);
    for (const CLI::App* a : all) {
      if (page_name(*a) == "styx-kexec") continue;
      write_text(std::filesystem::path(dir) / (page_name(*a) + ".1"), man_page(*a, date));
    }
    write_text(std::filesystem::path(dir) / "styx-kexec.1", kexec_man_page(date));
  } else {
    throw host::InputError("styx docs '" + what + "': man DIR, bash or zsh");
  }
  return 0;
}

}  // namespace styx::cli
