using System.Net.Sockets;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Tests.Sealing;

/// <summary>
/// Regression: a worker whose call to the restarting miner was refused reported code 0 and the pipeline retried
/// only 101/102, failing the sector for good. Lotus's temporary codes (storiface ErrTempUnknown 100, ErrTempWorkerRestart
/// 101, ErrTempAllocateSpace 102) and an unreachable worker are now retried, with a growing delay.
/// </summary>
public sealed class TransientErrorTests
{
    private static readonly SectorId Sector = new(1000, 7);

    [Theory]
    [InlineData(CallError.ErrTempUnknown, true)]
    [InlineData(CallError.ErrTempWorkerRestart, true)]
    [InlineData(CallError.ErrTempAllocateSpace, true)]
    [InlineData(CallError.ErrUnknown, false)]
    public void Lotus_temporary_codes_are_retried_and_ErrUnknown_fails_the_sector(int code, bool retried)
    {
        var e = new SealingException(TaskType.PreCommit1, Sector, new CallError(code, "acquire sector: connection refused"));
        Assert.Equal(retried, e.IsRetryable);
        Assert.Equal(retried, SectorPipeline.IsTransient(e));
        Assert.Equal($"PC1 of sector 7 failed: acquire sector: connection refused (code {code})", e.Message);
    }

    [Fact]
    public void A_worker_the_miner_cannot_reach_is_retried_and_an_application_error_is_not()
    {
        Assert.True(SectorPipeline.IsTransient(new HttpRequestException("connection refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(SectorPipeline.IsTransient(new RpcException(RpcErrorCodes.ConnectionClosed, "websocket closed")));
        Assert.True(SectorPipeline.IsTransient(new TimeoutException()));
        Assert.False(SectorPipeline.IsTransient(new RpcException(RpcErrorCodes.Application, "bad ticket")));
        Assert.False(SectorPipeline.IsTransient(new InvalidOperationException("no sector CIDs recorded")));
    }

    [Fact]
    public void The_retry_delay_doubles_from_5_s_up_to_Lotus_MinRetryTime()
    {
        Assert.Equal(
            new[] { 5, 10, 20, 40, 60, 60 },
            Enumerable.Range(1, 6).Select(a => (int)SectorPipeline.RetryDelayFor(a).TotalSeconds).ToArray());
        Assert.Equal(TimeSpan.FromMinutes(1), SectorPipeline.RetryDelayFor(int.MaxValue));
    }
}
