using System.Net;
using Kiln.Api.Types;
using Kiln.Worker.Cli;
using Kiln.Worker.Run;

namespace Kiln.Worker.Tests;

/// <summary>kiln-worker run's flags and LOTUS_WORKER_* variables bind as lotus-worker's do (unit: no I/O).</summary>
public sealed class RunOptionsTests
{
    private static WorkerOptions Bind(string args, Dictionary<string, string>? env = null) =>
        RunCommand.Bind(WorkerCli.Build().Parse("run " + args), name => env?.GetValueOrDefault(name));

    [Fact]
    public void Defaults_are_lotus_workers_and_only_executable_tasks_are_enabled()
    {
        var options = Bind("", new() { ["HOME"] = "/home/x" });
        Assert.Equal("0.0.0.0:3456", options.Listen);
        Assert.Equal((IPAddress.Any, 3456), options.ParseListen());
        Assert.Equal(5, options.ParallelFetchLimit);
        Assert.False(options.NoLocalStorage);
        Assert.Equal(Path.Combine("~", ".kilnworker"), options.RepoPath);
        Assert.Equal(
            new HashSet<TaskType>
            {
                TaskType.DataCid, TaskType.AddPiece, TaskType.PreCommit1, TaskType.PreCommit2, TaskType.Commit1, TaskType.Commit2, TaskType.Fetch, TaskType.Finalize,
                TaskType.FinalizeUnsealed, TaskType.Unseal,
            },
            options.EnabledTasks);
        Assert.Contains(TaskType.ReplicaUpdate, options.Unavailable);
        Assert.False(options.Snark.UseInsecureTestProofs);
        Assert.True(Bind("--insecure-test-proofs", new() { ["HOME"] = "/home/x" }).Snark.UseInsecureTestProofs);
        Assert.True(Bind("", new() { ["HOME"] = "/home/x", ["KILN_INSECURE_TEST_PROOFS"] = "true" }).Snark.UseInsecureTestProofs);
        Assert.Equal("/opt/libfilcrypto.so", Bind("", new() { ["HOME"] = "/home/x", ["FILCRYPTO_LIB"] = "/opt/libfilcrypto.so" }).Snark.LibraryPath);
    }

    [Fact]
    public void Flags_win_over_environment_and_environment_over_defaults()
    {
        var env = new Dictionary<string, string>
        {
            ["LOTUS_WORKER_LISTEN"] = "10.0.0.5:4000",
            ["LOTUS_WORKER_NAME"] = "from-env",
            ["LOTUS_WORKER_ADDPIECE"] = "false",
            ["LOTUS_WORKER_PARALLEL_FETCH_LIMIT"] = "7",
            ["LOTUS_WORKER_NO_LOCAL_STORAGE"] = "true",
            ["LOTUS_WORKER_PATH"] = "/repo/env",
            ["WORKER_PATH"] = "/repo/second",
        };
        var fromEnv = Bind("", env);
        Assert.Equal("10.0.0.5:4000", fromEnv.Listen);
        Assert.Equal("from-env", fromEnv.EffectiveName);
        Assert.DoesNotContain(TaskType.AddPiece, fromEnv.EnabledTasks);
        Assert.DoesNotContain(TaskType.DataCid, fromEnv.EnabledTasks);
        Assert.Equal(7, fromEnv.ParallelFetchLimit);
        Assert.True(fromEnv.NoLocalStorage);
        Assert.Equal("/repo/env", fromEnv.RepoPath);

        var fromFlags = Bind("--listen 127.0.0.1:5000 --name flag --addpiece=true --precommit1=false --parallel-fetch-limit 2 --worker-repo /repo/flag", env);
        Assert.Equal("127.0.0.1:5000", fromFlags.Listen);
        Assert.Equal("flag", fromFlags.Name);
        Assert.Equal(
            new HashSet<TaskType>
            {
                TaskType.DataCid, TaskType.AddPiece, TaskType.PreCommit2, TaskType.Commit1, TaskType.Commit2, TaskType.Fetch, TaskType.Finalize,
                TaskType.FinalizeUnsealed, TaskType.Unseal,
            },
            fromFlags.EnabledTasks);
        Assert.Equal(2, fromFlags.ParallelFetchLimit);
        Assert.Equal("/repo/flag", fromFlags.RepoPath);
    }

    [Fact]
    public void Worker_path_falls_back_to_WORKER_PATH_and_address_is_an_alias_of_listen()
    {
        Assert.Equal("/repo/second", Bind("", new() { ["WORKER_PATH"] = "/repo/second" }).RepoPath);
        Assert.Equal("127.0.0.1:1", Bind("--address 127.0.0.1:1").Listen);
        // Lotus runCmd Before: a set --address replaces --listen, whichever comes first; LOTUS_WORKER_LISTEN does not win over it.
        var address = Bind("--address 10.0.0.2:2 --listen 10.0.0.1:1", new() { ["LOTUS_WORKER_LISTEN"] = "10.0.0.3:3" });
        Assert.Equal("10.0.0.2:2", address.Listen);
        Assert.True(address.ListenFromAddressFlag);
        Assert.False(Bind("--listen 10.0.0.1:1").ListenFromAddressFlag);
        Assert.Equal((IPAddress.IPv6Loopback, 9), Bind("--listen [::1]:9").ParseListen());
    }

    [Theory]
    [InlineData("--listen nonsense")]
    [InlineData("--listen 1.2.3.4:99999")]
    [InlineData("--parallel-fetch-limit 0")]
    [InlineData("--post-parallel-reads -1")]
    [InlineData("--timeout soon")]
    [InlineData("--http-server-timeout 10")]
    [InlineData("--external-pc2=")]
    [InlineData("--post-read-timeout 5")]
    [InlineData("--post-read-timeout soon")]
    public void Bad_values_are_refused(string args)
    {
        Assert.ThrowsAny<Exception>(() => Bind(args));
    }

    [Fact]
    public void PoSt_flags_make_a_PoSt_worker_with_only_that_task()
    {
        var sealing = Bind("");
        Assert.False(sealing.IsPoStWorker);
        Assert.Equal(32, sealing.PostParallelReads);
        Assert.Equal(TimeSpan.Zero, sealing.PostReadTimeout);
        Assert.DoesNotContain(TaskType.GenerateWindowPoSt, sealing.EnabledTasks);

        var window = Bind("--windowpost --post-parallel-reads 8 --post-read-timeout 1m30s");
        Assert.True(window.IsPoStWorker);
        Assert.Equal(new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, window.RequestedTasks);
        Assert.Equal(new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, window.EnabledTasks);
        Assert.Empty(window.Unavailable);
        Assert.Equal(8, window.PostParallelReads);
        Assert.Equal(TimeSpan.FromSeconds(90), window.PostReadTimeout);

        var winning = Bind("", new()
        {
            ["LOTUS_WORKER_WINNINGPOST"] = "true",
            ["LOTUS_WORKER_POST_PARALLEL_READS"] = "4",
            ["LOTUS_WORKER_POST_READ_TIMEOUT"] = "500ms",
        });
        Assert.Equal(new HashSet<TaskType> { TaskType.GenerateWinningPoSt }, winning.EnabledTasks);
        Assert.Equal(4, winning.PostParallelReads);
        Assert.Equal(TimeSpan.FromMilliseconds(500), winning.PostReadTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), Bind("--post-read-timeout 1m", new() { ["LOTUS_WORKER_POST_READ_TIMEOUT"] = "2m" }).PostReadTimeout);
        Assert.False(Bind("--windowpost=false", new() { ["LOTUS_WORKER_WINDOWPOST"] = "true" }).IsPoStWorker);
    }

    [Theory]
    [InlineData("--windowpost --winningpost", "expected all task types to be for WinPost worker, but task post/v0/windowproof is for WdPoSt worker")]
    [InlineData("--windowpost --addpiece", "expected all task types to be for WdPoSt worker, but task seal/v0/addpiece is for Sealing worker")]
    [InlineData("--winningpost --commit=true", "expected all task types to be for WinPost worker, but task seal/v0/commit/2 is for Sealing worker")]
    public void PoSt_workers_refuse_other_task_types(string args, string error)
    {
        var e = Assert.Throws<ArgumentException>(() => Bind(args));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Bad_environment_values_name_the_variable()
    {
        var e = Assert.Throws<ArgumentException>(() => Bind("", new() { ["LOTUS_WORKER_PRECOMMIT1"] = "maybe" }));
        Assert.Contains("LOTUS_WORKER_PRECOMMIT1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Miner_api_info_comes_from_MINER_API_INFO_else_the_miner_repo()
    {
        var parse = WorkerCli.Build().Parse("run");
        var info = Assert.Single(RunCommand.MinerApiInfos(parse, n => n == "MINER_API_INFO" ? "tok:/ip4/10.0.0.1/tcp/2345/http" : null));
        Assert.Equal("tok", info.Token);
        Assert.Equal(new Uri("http://10.0.0.1:2345/rpc/v0"), info.HttpUrl());

        var repo = Directory.CreateTempSubdirectory("kiln-miner-repo-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(repo, "api"), "/ip4/127.0.0.1/tcp/2346/http\n");
            File.WriteAllText(Path.Combine(repo, "token"), "secret\n");
            var fromRepo = Assert.Single(RunCommand.MinerApiInfos(WorkerCli.Build().Parse("run --miner-repo " + repo), _ => null));
            Assert.Equal("secret", fromRepo.Token);
            Assert.Equal(new Uri("http://127.0.0.1:2346/rpc/v0"), fromRepo.HttpUrl());
            Assert.Equal("secret", Assert.Single(RunCommand.MinerApiInfos(WorkerCli.Build().Parse("run"), n => n == "LOTUS_MINER_PATH" ? repo : null)).Token);
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }

        Assert.Throws<ArgumentException>(() => RunCommand.MinerApiInfos(parse, n => n == "LOTUS_MINER_PATH" ? "/nonexistent/kiln" : null));
    }

    [Fact]
    public void Tasks_commands_take_lotus_short_names()
    {
        Assert.Equal([TaskType.AddPiece, TaskType.PreCommit1], TasksCommands.Parse(["AP", "pc1"], all: false));
        Assert.Equal(TasksCommands.Allowed, TasksCommands.Parse([], all: true));
        Assert.Throws<ArgumentException>(() => TasksCommands.Parse(["FIN"], all: false));
        Assert.Throws<ArgumentException>(() => TasksCommands.Parse([], all: false));
    }
}
