using System.Net;
using System.Net.Sockets;
using Kiln.Api.JsonRpc;
using Kiln.Worker.Calls;

namespace Kiln.Worker.Tests;

/// <summary>
/// Regression, the worker's side: an index call refused by a restarting miner (connection refused, a dropped
/// connection, a timeout, 502/503) is Lotus's ErrTempUnknown (100), which the miner's pipeline retries, not ErrUnknown (0).
/// </summary>
public sealed class TransientCallErrorTests
{
    public static TheoryData<Exception, bool> Cases => new()
    {
        { new HttpRequestException("Connection refused (127.0.0.1:2345)", new SocketException((int)SocketError.ConnectionRefused)), true },
        { new InvalidOperationException("acquire sector", new HttpRequestException("Connection refused")), true },
        { new HttpRequestException("RPC POST answered 503", null, HttpStatusCode.ServiceUnavailable), true },
        { new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()), true },
        { new RpcException(RpcErrorCodes.ConnectionClosed, "connection closed"), true },
        { new HttpRequestException("RPC POST answered 401", null, HttpStatusCode.Unauthorized), false },
        { new RpcException(RpcErrorCodes.Application, "storage not found"), false },
        { new IOException("disk full"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unreachable_is_transient_and_an_answer_is_not(Exception e, bool transient) =>
        Assert.Equal(transient, CallRunner.IsTransient(e));
}
