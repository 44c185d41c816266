using Kiln.Api.Types;
using Kiln.Miner.Jobs;

namespace Kiln.Miner.Proving;

/// <summary>Records PoSt work (one row per partition attempt or winning proof) in the job tracker, when there is one.</summary>
internal static class PoStJobs
{
    /// <summary>The host name local (built-in) proving is recorded under; its worker id is <see cref="Guid.Empty"/>.</summary>
    public static string LocalHost => Environment.MachineName;

    public static async Task<T> TrackAsync<T>(JobTracker? jobs, string host, Guid worker, SectorId sector, TaskType task, Func<Task<T>> work, CancellationToken ct)
    {
        if (jobs is null)
        {
            return await work().ConfigureAwait(false);
        }

        var call = Guid.NewGuid();
        await jobs.StartedAsync(call, host, worker, sector, task, ct).ConfigureAwait(false);
        try
        {
            var result = await work().ConfigureAwait(false);
            await jobs.FinishedAsync(call, JobOutcome.Succeeded, null, CancellationToken.None).ConfigureAwait(false);
            return result;
        }
        catch (Exception e)
        {
            var outcome = e is OperationCanceledException ? JobOutcome.Aborted : JobOutcome.Failed;
            await jobs.FinishedAsync(call, outcome, e.Message, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
