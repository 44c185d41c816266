using System.CommandLine;
using System.Globalization;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Cli;

/// <summary><c>kiln-miner proving workers | deadlines | info</c>, after lotus-miner's <c>proving</c> commands.</summary>
internal static class ProvingCommands
{
    public static Command Create(Func<ParseResult, IKilnMinerApi> connect)
    {
        var proving = new Command("proving", "View proving information: PoSt workers, deadlines, the chain clock");
        var workers = new Command("workers", "List the window and winning PoSt workers");
        workers.SetAction(async (parse, ct) =>
        {
            WriteWorkers(Console.Out, await connect(parse).KilnProvingWorkersAsync(ct).ConfigureAwait(false));
            return 0;
        });
        var deadlines = new Command("deadlines", "Every deadline of the proving period: the sectors the chain assigns to it and its last Window PoSt");
        deadlines.SetAction(async (parse, ct) =>
        {
            WriteDeadlines(Console.Out, await connect(parse).KilnProvingDeadlinesAsync(ct).ConfigureAwait(false));
            return 0;
        });
        var info = new Command("info", "The current epoch, deadline and proving set");
        info.SetAction(async (parse, ct) =>
        {
            WriteInfo(Console.Out, await connect(parse).KilnProvingInfoAsync(ct).ConfigureAwait(false));
            return 0;
        });
        var index = new Argument<int>("index") { Description = "deadline index, 0 to 47" };
        var deadline = new Command("deadline", "The newest Window PoSt of one deadline, step by step: challenges, partitions, vanilla reads, SNARKs, merge") { index };
        deadline.SetAction(async (parse, ct) =>
        {
            WriteDeadline(Console.Out, await connect(parse).KilnProvingDeadlineAsync(parse.GetValue(index), ct).ConfigureAwait(false));
            return 0;
        });
        var onlyBad = new Option<bool>("--only-bad") { Description = "print only bad sectors" };
        var slow = new Option<bool>("--slow") { Description = "run slower checks (as Lotus's, every check already reads a vanilla proof: the flag changes nothing)" };
        var checkIndex = new Argument<int>("deadlineIdx") { Description = "deadline index, 0 to 47" };
        var check = new Command("check", "Check sectors provable: read each live sector's vanilla proof for fresh challenges, as a Window PoSt would") { checkIndex, onlyBad, slow };
        check.SetAction(async (parse, ct) =>
        {
            WriteCheck(Console.Out, await connect(parse).KilnProvingCheckAsync(parse.GetValue(checkIndex), ct).ConfigureAwait(false), parse.GetValue(onlyBad));
            return 0;
        });
        proving.Subcommands.Add(workers);
        proving.Subcommands.Add(check);
        proving.Subcommands.Add(deadlines);
        proving.Subcommands.Add(deadline);
        proving.Subcommands.Add(info);
        return proving;
    }

    internal static void WriteWorkers(TextWriter output, IReadOnlyList<PoStWorkerStats> workers) =>
        Devnet.Devnet.WriteTable(output, ["Worker", "Host", "Task", "Enabled", "InFlight", "Done", "Failed"], [.. workers.Select(w => new[]
        {
            w.Id.ToString(),
            w.Hostname,
            TaskTypes.TryParse(w.Task, out var t) ? TaskTypes.ShortName(t) : w.Task,
            w.Enabled ? "yes" : "no (disabled)",
            Invariant($"{w.InFlight}/{w.MaxInFlight}"),
            Invariant($"{w.Completed}"),
            Invariant($"{w.Failed}"),
        })]);

    /// <summary>Lotus cli/miner/proving.go provingCheckProvableCmd's table: deadline, partition, sector, good or bad (reason).</summary>
    internal static void WriteCheck(TextWriter output, IReadOnlyList<ProvingCheckRow> rows, bool onlyBad) =>
        Devnet.Devnet.WriteTable(output, ["deadline", "partition", "sector", "status"], [.. rows.Where(r => !onlyBad || r.Bad is not null).Select(r => new[]
        {
            Invariant($"{r.Deadline}"),
            Invariant($"{r.Partition}"),
            Invariant($"{r.Sector}"),
            r.Bad is { } why ? $"bad ({why})" : "good",
        })]);

    internal static void WriteDeadlines(TextWriter output, IReadOnlyList<ProvingDeadline> deadlines) =>
        Devnet.Devnet.WriteTable(output, ["Deadline", "Sectors", "Open", "Last proven", "Took", "Skipped", "Outcome"], [.. deadlines.Select(d => new[]
        {
            Invariant($"{d.Index}"),
            Invariant($"{d.Sectors}"),
            d.LastOpenEpoch is { } open ? Invariant($"{open}") : "-",
            d.LastProven is { } at ? at.ToString("u", CultureInfo.InvariantCulture) : "-",
            d.TookNs is { } ns ? GoFormat.Duration(TimeSpan.FromTicks(ns / 100)) : "-",
            Invariant($"{d.Skipped}"),
            d.Error is { } e ? d.Outcome + ": " + e : d.Outcome is "" ? "-" : d.Outcome,
        })]);

    /// <summary>The deadline's header, then one row per step; starts are offsets from the first step.</summary>
    internal static void WriteDeadline(TextWriter output, ProvingDeadlineTimeline deadline)
    {
        output.WriteLine(Invariant($"Deadline Index:         {deadline.Index}"));
        output.WriteLine(Invariant($"Proving Sectors:        {deadline.Sectors}"));
        var whole = deadline.Steps.LastOrDefault(s => s.Phase == "deadline");
        if (deadline.Steps.Count == 0)
        {
            output.WriteLine("Last Window PoSt:       none yet");
            return;
        }

        var first = deadline.Steps.Min(s => s.Start);
        output.WriteLine(whole is null
            ? Invariant($"Last Window PoSt:       open epoch {deadline.Steps[0].Epoch}, unfinished")
            : Invariant($"Last Window PoSt:       open epoch {whole.Epoch}, {whole.Outcome} in {GoFormat.Duration(whole.Duration)}: {whole.Detail}"));
        output.WriteLine();
        Devnet.Devnet.WriteTable(output, ["Step", "Partition", "Host", "Worker", "Start", "Took", "Sectors", "Outcome", "Detail"], [.. deadline.Steps.Select(s => new[]
        {
            s.Phase,
            s.Partition is { } p ? Invariant($"{p}") : "-",
            s.Host,
            s.Worker == Guid.Empty ? "miner" : s.Worker.ToString("N")[..8],
            "+" + GoFormat.Duration(s.Start - first),
            GoFormat.Duration(s.Duration),
            Invariant($"{s.Sectors}"),
            s.Outcome,
            s.Detail ?? string.Empty,
        })]);
    }

    internal static void WriteInfo(TextWriter output, ProvingInfo info)
    {
        output.WriteLine(Invariant($"Proving loop:           {(info.Enabled ? "running" : "off (kiln-miner run --proving)")}"));
        output.WriteLine(Invariant($"Current Epoch:          {info.CurrentEpoch}"));
        output.WriteLine(Invariant($"Proving Period Start:   {info.PeriodStart}"));
        output.WriteLine(Invariant($"Deadline Index:         {info.DeadlineIndex} (open {info.DeadlineOpen}, close {info.DeadlineClose})"));
        output.WriteLine(Invariant($"Proving Sectors:        {info.ProvingSectors}"));
        output.WriteLine(Invariant($"Window PoSt workers:    {info.WindowWorkers}{(info.WindowWorkers == 0 ? info.BuiltinWindowPoSt ? " (the miner proves itself)" : " (built-in proving disabled)" : "")}"));
        output.WriteLine(Invariant($"Winning PoSt workers:   {info.WinningWorkers}{(info.WinningWorkers == 0 ? info.BuiltinWinningPoSt ? " (the miner proves itself)" : " (built-in proving disabled)" : "")}"));
        output.WriteLine(info.LastWinningEpoch is { } epoch ? Invariant($"Last Winning PoSt:      epoch {epoch}: {info.LastWinningOutcome}") : "Last Winning PoSt:      none yet");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
