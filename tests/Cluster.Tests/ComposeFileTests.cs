using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiln.Miner.Cli;
using Kiln.Worker.Cli;

namespace Kiln.Cluster.Tests;

/// <summary>
/// docker/docker-compose.yml against the real command lines: every service's <c>command</c> parses with the
/// binaries' own System.CommandLine trees (a worker's run options are also bound with the service's environment),
/// every <c>LOTUS_WORKER_*</c> variable names a real run flag, <c>KILN_ATTACH</c> entries have the entry point's
/// shape, named volumes are declared, and the miner listens on its fixed address. <c>docker-compose config -q</c> in
/// scripts/test.sh checks the file's schema; this checks what the schema cannot.
/// </summary>
/// <remarks>
/// The parser reads only the shapes the file uses: services two spaces in, flow-sequence commands, block-mapping
/// environments (with <c>&lt;&lt;: *anchor</c>), block-sequence volumes, <c>${VAR:-default}</c> taken at its default.
/// </remarks>
public sealed partial class ComposeFileTests
{
    private static readonly Lazy<ComposeFile> Compose = new(() => ComposeFile.Load(Path.Combine(RepoRoot(), "docker", "docker-compose.yml")));

    [Fact]
    public void Compose_file_has_the_labs_services()
    {
        Assert.Equal(
            ["kiln-miner", "worker-fetch", "worker-pc1", "worker-pc2", "worker-windowpost", "worker-winningpost"],
            Compose.Value.Services.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_command_parses_with_the_binaries_own_command_line()
    {
        foreach (var (name, service) in Compose.Value.Services)
        {
            Assert.True(service.Command.Count > 1, $"{name}: no command");
            var args = service.Command.Skip(1).ToArray();
            RootCommand root = service.Command[0] switch
            {
                "kiln-miner" => MinerCli.Build(),
                "kiln-worker" => WorkerCli.Build(),
                var other => throw new Xunit.Sdk.XunitException($"{name}: command runs '{other}', not kiln-miner or kiln-worker"),
            };
            var parse = root.Parse(args);
            Assert.True(parse.Errors.Count == 0, $"{name}: {string.Join(' ', service.Command)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void Worker_run_options_bind_from_each_workers_command_and_environment()
    {
        foreach (var (name, service) in Compose.Value.Services.Where(s => s.Value.Command[0] == "kiln-worker"))
        {
            var parse = WorkerCli.Build().Parse(service.Command.Skip(1).ToArray());
            var options = RunCommand.Bind(parse, v => service.Environment.GetValueOrDefault(v));
            Assert.True(options.EnabledTasks.Count > 0, name);
            if (name.Contains("post", StringComparison.Ordinal))
            {
                Assert.True(options.IsPoStWorker, $"{name} is not a PoSt worker");
            }
            else
            {
                Assert.False(options.IsPoStWorker, $"{name} is a PoSt worker");
            }
        }
    }

    [Fact]
    public void Lotus_worker_variables_name_real_run_flags()
    {
        var run = WorkerCli.Build().Subcommands.Single(c => c.Name == "run");
        var flags = run.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, service) in Compose.Value.Services)
        {
            foreach (var variable in service.Environment.Keys.Where(k => k.StartsWith(RunCommand.EnvPrefix, StringComparison.Ordinal) && k != "LOTUS_WORKER_PATH"))
            {
                var flag = "--" + variable[RunCommand.EnvPrefix.Length..].ToLowerInvariant().Replace('_', '-');
                Assert.True(flags.Contains(flag), $"{name}: {variable} is no kiln-worker run flag ({flag})");
            }
        }
    }

    [Fact]
    public void Attach_entries_have_the_entry_points_shape()
    {
        foreach (var (name, service) in Compose.Value.Services)
        {
            foreach (var entry in service.Environment.GetValueOrDefault("KILN_ATTACH", "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Assert.Matches(AttachEntry(), entry);
                var path = entry[(entry.IndexOf(':', StringComparison.Ordinal) + 1)..];
                Assert.True(service.Volumes.Any(v => v.Target == path), $"{name}: {path} is attached but no volume is mounted there");
            }
        }
    }

    [Fact]
    public void Named_volumes_are_declared()
    {
        foreach (var (name, service) in Compose.Value.Services)
        {
            foreach (var volume in service.Volumes.Where(v => !v.Source.StartsWith('/') && !v.Source.StartsWith('.')))
            {
                Assert.True(Compose.Value.Volumes.Contains(volume.Source), $"{name}: volume {volume.Source} is not declared");
            }
        }
    }

    [Fact]
    public void Miner_listens_on_its_fixed_address_and_workers_find_its_repo()
    {
        var miner = Compose.Value.Services["kiln-miner"];
        var listen = IPEndPoint.Parse(miner.Command[miner.Command.IndexOf("--listen") + 1]);
        Assert.Equal(listen.Address.ToString(), miner.Ipv4Address);
        var repo = miner.Environment["KILN_MINER_PATH"];
        var repoVolume = miner.Volumes.Single(v => v.Target == repo).Source;
        foreach (var (name, worker) in Compose.Value.Services.Where(s => s.Value.Command[0] == "kiln-worker"))
        {
            var wait = worker.Environment.GetValueOrDefault("KILN_MINER_REPO_WAIT");
            Assert.True(wait is not null && worker.Volumes.Any(v => v.Source == repoVolume && v.Target == wait), $"{name} does not mount the miner repo at KILN_MINER_REPO_WAIT");
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Miner.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Miner.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^(init\+)?(seal|store|seal\+store):/\S+$", RegexOptions.CultureInvariant)]
    private static partial Regex AttachEntry();

    private sealed record Volume(string Source, string Target);

    private sealed class Service
    {
        public List<string> Command { get; set; } = [];

        public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

        public List<Volume> Volumes { get; } = [];

        public string? Ipv4Address { get; set; }
    }

    private sealed partial class ComposeFile
    {
        public Dictionary<string, Service> Services { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Volumes { get; } = new(StringComparer.Ordinal);

        public static ComposeFile Load(string path)
        {
            var file = new ComposeFile();
            var anchors = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            Dictionary<string, string>? anchor = null;
            string? top = null;
            Service? service = null;
            string? block = null;
            foreach (var raw in File.ReadLines(path))
            {
                var line = Substitute(StripComment(raw));
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                var indent = line.Length - line.TrimStart().Length;
                var text = line.Trim();
                if (indent == 0)
                {
                    top = text.TrimEnd(':');
                    anchor = AnchorName().Match(text) is { Success: true } a ? anchors[a.Groups[1].Value] = new(StringComparer.Ordinal) : null;
                    service = null;
                    continue;
                }

                if (anchor is not null && indent == 2 && KeyValue().Match(text) is { Success: true } pair)
                {
                    anchor[pair.Groups[1].Value] = Unquote(pair.Groups[2].Value);
                }
                else if (top == "volumes" && indent == 2)
                {
                    file.Volumes.Add(text.TrimEnd(':'));
                }
                else if (top == "services" && indent == 2)
                {
                    service = file.Services[text.TrimEnd(':')] = new Service();
                }
                else if (service is not null && indent == 4)
                {
                    block = text.EndsWith(':') ? text.TrimEnd(':') : null;
                    if (text.StartsWith("command:", StringComparison.Ordinal))
                    {
                        service.Command = JsonSerializer.Deserialize<List<string>>(text["command:".Length..]) ?? [];
                    }
                }
                else if (service is not null && indent >= 6 && block == "environment" && KeyValue().Match(text) is { Success: true } env)
                {
                    if (env.Groups[1].Value == "<<")
                    {
                        foreach (var (k, v) in anchors[env.Groups[2].Value.TrimStart('*')])
                        {
                            service.Environment[k] = v;
                        }
                    }
                    else
                    {
                        service.Environment[env.Groups[1].Value] = Unquote(env.Groups[2].Value);
                    }
                }
                else if (service is not null && block == "volumes" && text.StartsWith("- ", StringComparison.Ordinal))
                {
                    var parts = text[2..].Split(':');
                    service.Volumes.Add(new Volume(parts[0], parts[1]));
                }
                else if (service is not null && block == "networks" && text.StartsWith("ipv4_address:", StringComparison.Ordinal))
                {
                    service.Ipv4Address = text["ipv4_address:".Length..].Trim();
                }
            }

            return file;
        }

        private static string StripComment(string line) => line.TrimStart().StartsWith('#') ? "" : line;

        private static string Unquote(string value) => value.Trim().Trim('"');

        /// <summary>Compose interpolation as the file uses it: <c>${VAR:-default}</c> is the default, <c>${VAR}</c> empty.</summary>
        private static string Substitute(string line) => Interpolation().Replace(line, m => m.Groups[1].Value);

        [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-([^}]*))?\}", RegexOptions.CultureInvariant)]
        private static partial Regex Interpolation();

        [GeneratedRegex(@"^[A-Za-z0-9_-]+:\s*&([A-Za-z0-9_-]+)$", RegexOptions.CultureInvariant)]
        private static partial Regex AnchorName();

        [GeneratedRegex(@"^([A-Za-z0-9_.<-]+):\s*(.*)$", RegexOptions.CultureInvariant)]
        private static partial Regex KeyValue();
    }
}
