using Kiln.Api.Types;
using Kiln.Worker.Cli;
using Kiln.Worker.Run;

namespace Kiln.Worker.Tests;

/// <summary>
/// kiln-worker run's task set against Lotus cli/worker/worker.go runCmd, flag by flag, and the other run flags'
/// Lotus names, defaults and variables. The expected sets are written out from runCmd's code: non-PoSt workers always
/// get GET, C1, PR1, FIN, FUS, FRU; a task flag counts on a sealing worker, or when set (command line or variable);
/// DC follows AP unless --data-cid is set, and only on a sealing worker.
/// </summary>
public sealed class RunFlagsTests
{
    private const TaskType Get = TaskType.Fetch, C1 = TaskType.Commit1, Pr1 = TaskType.ProveReplicaUpdate1, Fin = TaskType.Finalize,
        Fus = TaskType.FinalizeUnsealed, Fru = TaskType.FinalizeReplicaUpdate, Ap = TaskType.AddPiece, Dc = TaskType.DataCid, Pc1 = TaskType.PreCommit1,
        Uns = TaskType.Unseal, Pc2 = TaskType.PreCommit2, C2 = TaskType.Commit2, Ru = TaskType.ReplicaUpdate, Pr2 = TaskType.ProveReplicaUpdate2,
        Gsk = TaskType.RegenSectorKey, Dsd = TaskType.DownloadSector, Wdp = TaskType.GenerateWindowPoSt, Wnp = TaskType.GenerateWinningPoSt;

    /// <summary>runCmd's unconditional append for a worker that is not a PoSt worker.</summary>
    private static readonly TaskType[] Always = [Get, C1, Pr1, Fin, Fus, Fru];

    /// <summary>A sealing worker with every flag at its default: --sector-download is the only task flag that defaults to false.</summary>
    private static readonly TaskType[] Sealing = [.. Always, Ap, Dc, Pc1, Uns, Pc2, C2, Ru, Pr2, Gsk];

    private static WorkerOptions Bind(string args, Dictionary<string, string>? env = null) =>
        RunCommand.Bind(WorkerCli.Build().Parse("run " + args), name => env?.GetValueOrDefault(name));

    private static HashSet<TaskType> Set(params TaskType[] types) => [.. types];

    private static TaskType[] Without(TaskType[] from, params TaskType[] drop) => [.. from.Except(drop)];

    public static TheoryData<string, string, TaskType[]> LotusTable() => new()
    {
        // args, environment (NAME=value;...), expected task set
        { "", "", Sealing },
        { "--addpiece=false", "", Without(Sealing, Ap, Dc) },
        { "--addpiece=false --data-cid", "", Without(Sealing, Ap) },
        { "--data-cid=false", "", Without(Sealing, Dc) },
        { "--sector-download", "", [.. Sealing, Dsd] },
        { "--precommit1=false --precommit2=0 --commit=f --unseal=FALSE", "", Without(Sealing, Pc1, Pc2, C2, Uns) },
        { "--replica-update=false --prove-replica-update2=false --regen-sector-key=false", "", Without(Sealing, Ru, Pr2, Gsk) },
        { "", "LOTUS_WORKER_ADDPIECE=false", Without(Sealing, Ap, Dc) },
        { "--data-cid", "LOTUS_WORKER_ADDPIECE=false", Without(Sealing, Ap) },
        { "--addpiece", "LOTUS_WORKER_ADDPIECE=false", Sealing },
        { "", "LOTUS_WORKER_SECTOR_DOWNLOAD=true", [.. Sealing, Dsd] },
        { "", "LOTUS_WORKER_PRECOMMIT1=0;LOTUS_WORKER_COMMIT=", Without(Sealing, Pc1, C2) },

        // --no-default: only what is set, by flag or variable; the worker type is still unset when DC is decided, so no DC.
        { "--no-default", "", Always },
        { "", "LOTUS_WORKER_NO_DEFAULT=true", Always },
        { "--no-default --addpiece", "", [.. Always, Ap] },
        { "--no-default --addpiece --data-cid", "", [.. Always, Ap] },
        { "--no-default --precommit2 --commit", "", [.. Always, Pc2, C2] },
        { "--no-default --sector-download", "", [.. Always, Dsd] },
        { "--no-default", "LOTUS_WORKER_PRECOMMIT1=true;LOTUS_WORKER_UNSEAL=t", [.. Always, Pc1, Uns] },
        { "--no-default", "LOTUS_WORKER_PRECOMMIT1=false;LOTUS_WORKER_UNSEAL=", Always },
        { "--no-default=false", "LOTUS_WORKER_NO_DEFAULT=true", Sealing },

        // PoSt workers: one task; sealing flags count only when set, and then fail the one-type check (below).
        { "--windowpost", "", [Wdp] },
        { "--winningpost", "", [Wnp] },
        { "", "LOTUS_WORKER_WINDOWPOST=1", [Wdp] },
        { "--windowpost --no-default", "", [Wdp] },
        { "--windowpost --data-cid", "", [Wdp] },
        { "--windowpost --addpiece=false --commit=false", "", [Wdp] },
        { "--winningpost", "LOTUS_WORKER_ADDPIECE=false", [Wnp] },
        { "--windowpost=false", "LOTUS_WORKER_WINDOWPOST=true", Sealing },
    };

    [Theory]
    [MemberData(nameof(LotusTable))]
    public void Task_set_is_lotus_runCmds(string args, string env, TaskType[] expected)
    {
        var variables = env.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(Set(expected), Bind(args, variables).RequestedTasks);
    }

    [Theory]
    [InlineData("--windowpost --winningpost", "", "expected all task types to be for WinPost worker, but task post/v0/windowproof is for WdPoSt worker")]
    [InlineData("--windowpost --addpiece", "", "expected all task types to be for WdPoSt worker, but task seal/v0/addpiece is for Sealing worker")]
    [InlineData("--winningpost --sector-download", "", "expected all task types to be for WinPost worker, but task seal/v0/download/sector is for Sealing worker")]
    [InlineData("", "LOTUS_WORKER_WINDOWPOST=true;LOTUS_WORKER_COMMIT=true", "expected all task types to be for WdPoSt worker, but task seal/v0/commit/2 is for Sealing worker")]
    [InlineData("--winningpost --precommit1 --addpiece", "", "expected all task types to be for WinPost worker, but task seal/v0/addpiece is for Sealing worker")]
    public void Mixed_worker_types_fail_with_lotus_message(string args, string env, string message)
    {
        var variables = env.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => Bind(args, variables)).Message);
    }

    /// <summary>runCmd cannot reach it from flags (a non-PoSt worker always has GET...), but TaskEnable's check can.</summary>
    [Fact]
    public void An_empty_task_set_fails_with_lotus_message()
    {
        Assert.Equal("no task types specified", Assert.Throws<ArgumentException>(() => WorkerOptions.ValidateWorkerType(new HashSet<TaskType>())).Message);
    }

    [Fact]
    public void Defaults_are_the_requested_set_of_a_flagless_lotus_worker()
    {
        Assert.Equal(Set(Sealing), WorkerOptions.DefaultRequestedTasks());
        Assert.Equal(Set(Sealing), Bind("").RequestedTasks);
    }

    [Fact]
    public void Tasks_kiln_cannot_execute_are_requested_but_not_advertised()
    {
        var options = Bind("--sector-download");
        var unavailable = Set(Sealing).Append(Dsd).Where(t => !WorkerOptions.Executable.Contains(t)).ToHashSet();
        Assert.NotEmpty(unavailable);
        Assert.Equal(unavailable, options.Unavailable.ToHashSet());
        Assert.Equal(options.RequestedTasks.Except(unavailable).ToHashSet(), options.EnabledTasks);
        Assert.All(options.EnabledTasks, t => Assert.Contains(t, WorkerOptions.Executable));
        // The list is in Lotus's task order, for one log line.
        Assert.Equal(options.Unavailable.OrderBy(TaskTypes.Order), options.Unavailable);
    }

    [Theory]
    [InlineData("--addpiece=false", false)]
    [InlineData("--addpiece=0", false)]
    [InlineData("--addpiece=F", false)]
    [InlineData("--addpiece=true", true)]
    [InlineData("--addpiece=1", true)]
    [InlineData("--addpiece", true)]
    public void Bool_flags_take_go_bools_after_an_equals_sign(string args, bool addPiece)
    {
        var parse = WorkerCli.Build().Parse("run --no-default " + args);
        Assert.Empty(parse.Errors);
        Assert.Equal(addPiece, RunCommand.Bind(parse, _ => null).RequestedTasks.Contains(Ap));
    }

    [Theory]
    [InlineData("run --addpiece false", "--addpiece=false")]
    [InlineData("run --windowpost true", "--windowpost=true")]
    [InlineData("run --addpiece=maybe", "invalid boolean value \"maybe\"")]
    [InlineData("run --bogus", "--bogus")]
    [InlineData("run --listen", "--listen")]
    public void Bad_command_lines_fail_clearly(string args, string mentioned)
    {
        var parse = WorkerCli.Build().Parse(args);
        Assert.NotEmpty(parse.Errors);
        Assert.Contains(parse.Errors, e => e.Message.Contains(mentioned, StringComparison.Ordinal));
    }

    [Fact]
    public void Run_flags_have_lotus_names_defaults_and_variables()
    {
        var defaults = Bind("");
        Assert.Equal(TimeSpan.FromMinutes(30), defaults.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.HttpServerTimeout);
        Assert.Null(defaults.ExternalPreCommit2);
        Assert.False(defaults.NoSwap);
        Assert.True(defaults.EnableGpuProving);
        Assert.Equal(TimeSpan.FromSeconds(20), defaults.ShutdownGrace);

        var env = new Dictionary<string, string>
        {
            ["LOTUS_WORKER_TIMEOUT"] = "5s",
            ["LOTUS_WORKER_NO_SWAP"] = "true",
            ["LOTUS_WORKER_ENABLE_GPU_PROVING"] = "false",
            ["LOTUS_WORKER_PARALLEL_FETCH_LIMIT"] = "0x10",
            // Lotus declares no variable for these two: they must be ignored.
            ["LOTUS_WORKER_HTTP_SERVER_TIMEOUT"] = "1s",
            ["LOTUS_WORKER_EXTERNAL_PC2"] = "false-command",
        };
        var fromEnv = Bind("", env);
        Assert.Equal(TimeSpan.FromSeconds(5), fromEnv.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), fromEnv.HttpServerTimeout);
        Assert.Null(fromEnv.ExternalPreCommit2);
        Assert.True(fromEnv.NoSwap);
        Assert.False(fromEnv.EnableGpuProving);
        Assert.Equal(16, fromEnv.ParallelFetchLimit);

        var fromFlags = Bind("--timeout 1m --http-server-timeout 0 --external-pc2 \"echo hi\" --no-swap=false --post-parallel-reads 0", env);
        Assert.Equal(TimeSpan.FromMinutes(1), fromFlags.Timeout);
        Assert.Equal(TimeSpan.Zero, fromFlags.HttpServerTimeout);
        Assert.Equal("echo hi", fromFlags.ExternalPreCommit2);
        Assert.False(fromFlags.NoSwap);
        Assert.Equal(0, fromFlags.PostParallelReads);

        // Global flags (Lotus App flags) go before the command, and are accepted after it too.
        Assert.False(RunCommand.Bind(WorkerCli.Build().Parse("--enable-gpu-proving=false run"), _ => null).EnableGpuProving);
        Assert.True(RunCommand.Bind(WorkerCli.Build().Parse("run --enable-gpu-proving=true"), n => n == "LOTUS_WORKER_ENABLE_GPU_PROVING" ? "false" : null).EnableGpuProving);
        Assert.Equal("/w", RunCommand.Bind(WorkerCli.Build().Parse("--workerrepo /w run"), _ => null).RepoPath);
    }

    [Fact]
    public void Panic_reports_go_to_the_flag_else_the_variable_else_the_repo_default()
    {
        Assert.Equal("/r/flag", RunCommand.PanicReportDirectory(WorkerCli.Build().Parse("--panic-reports /r/flag run"), n => n == "LOTUS_PANIC_REPORT_PATH" ? "/r/env" : null));
        Assert.Equal("/r/env", RunCommand.PanicReportDirectory(WorkerCli.Build().Parse("run"), n => n == "LOTUS_PANIC_REPORT_PATH" ? "/r/env" : null));
        Assert.EndsWith(Path.DirectorySeparatorChar + WorkerRepo.DefaultDirectoryName, RunCommand.PanicReportDirectory(WorkerCli.Build().Parse("run"), _ => null), StringComparison.Ordinal);
    }
}
