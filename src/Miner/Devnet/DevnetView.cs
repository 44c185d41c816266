using System.Globalization;
using Kiln.Miner.Sealing;
using Spectre.Console;

namespace Kiln.Miner.Devnet;

/// <summary>
/// What the devnet shows while it runs: each sector's stage, its PC1 layers as the layer files appear, and each
/// deadline's Window PoSt. On a terminal a live Spectre.Console progress display; otherwise (a pipe, a log, a
/// test) one plain line per change.
/// </summary>
internal abstract class DevnetView
{
    /// <summary>Stages a CC sector goes through to Proving (Packing to Proving).</summary>
    public static readonly SectorState[] Stages =
        [SectorState.Packing, SectorState.PreCommit1, SectorState.PreCommit2, SectorState.WaitSeed, SectorState.Committing, SectorState.FinalizeSector, SectorState.Proving];

    public abstract void Sector(SectorRecord sector);

    public abstract void Layers(ulong sector, int done, int total);

    public enum DeadlineStage
    {
        Waiting,
        Proving,
        Proven,
        Failed,
    }

    /// <summary>A deadline's state; plain output prints a line only when its stage changes.</summary>
    public abstract void Deadline(int index, DeadlineStage stage, string state);

    public static DevnetView Plain(TextWriter output) => new PlainView(output);

    /// <summary>Runs <paramref name="body"/> under a live progress display on the terminal.</summary>
    public static Task<T> LiveAsync<T>(Func<DevnetView, Task<T>> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(ctx => body(new LiveView(ctx)));

    private sealed class PlainView(TextWriter output) : DevnetView
    {
        private readonly Dictionary<ulong, SectorState> _states = [];
        private readonly Dictionary<ulong, int> _layers = [];
        private readonly Dictionary<int, DeadlineStage> _deadlines = [];

        public override void Sector(SectorRecord sector)
        {
            if (!_states.TryGetValue(sector.Number, out var was) || was != sector.State)
            {
                _states[sector.Number] = sector.State;
                output.WriteLine($"sector {sector.Number}: {sector.State}{(sector.Error is null ? "" : " — " + sector.Error)}");
            }
        }

        public override void Layers(ulong sector, int done, int total)
        {
            if (done > _layers.GetValueOrDefault(sector))
            {
                _layers[sector] = done;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sector {sector}: PC1 layer {done}/{total}"));
            }
        }

        public override void Deadline(int index, DeadlineStage stage, string state)
        {
            if (!_deadlines.TryGetValue(index, out var was) || was != stage)
            {
                _deadlines[index] = stage;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deadline {index}: {state}"));
            }
        }
    }

    private sealed class LiveView(ProgressContext ctx) : DevnetView
    {
        private readonly Dictionary<ulong, ProgressTask> _sectors = [];
        private readonly Dictionary<ulong, ProgressTask> _layers = [];
        private readonly Dictionary<int, ProgressTask> _deadlines = [];

        public override void Sector(SectorRecord sector)
        {
            if (!_sectors.TryGetValue(sector.Number, out var task))
            {
                task = _sectors[sector.Number] = ctx.AddTask($"sector {sector.Number}", maxValue: Stages.Length - 1);
            }

            var stage = Array.IndexOf(Stages, sector.State);
            task.Description = Markup.Escape($"sector {sector.Number}: {sector.State}{(sector.Error is null ? "" : " — " + sector.Error)}");
            task.Value = Math.Max(0, stage);
            if (sector.State is SectorState.Proving or SectorState.Failed)
            {
                task.StopTask();
            }
        }

        public override void Layers(ulong sector, int done, int total)
        {
            if (!_layers.TryGetValue(sector, out var task))
            {
                task = _layers[sector] = ctx.AddTask($"sector {sector}: PC1 layers", maxValue: total);
            }

            task.Description = string.Create(CultureInfo.InvariantCulture, $"sector {sector}: PC1 layer {done}/{total}");
            task.Value = Math.Max(task.Value, done);
            if (done >= total)
            {
                task.StopTask();
            }
        }

        public override void Deadline(int index, DeadlineStage stage, string state)
        {
            if (!_deadlines.TryGetValue(index, out var task))
            {
                task = _deadlines[index] = ctx.AddTask($"deadline {index}", maxValue: 1);
            }

            task.Description = Markup.Escape($"deadline {index}: {state}");
            if (stage is DeadlineStage.Proven or DeadlineStage.Failed)
            {
                task.Value = 1;
                task.StopTask();
            }
        }
    }
}
