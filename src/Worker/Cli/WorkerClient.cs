using System.CommandLine;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Worker.Run;

namespace Kiln.Worker.Cli;

/// <summary>How CLI commands reach the running worker: <c>WORKER_API_INFO</c>, else the repo's <c>api</c> and <c>token</c> files.</summary>
public static class WorkerClient
{
    public static IWorkerApi Connect(ParseResult parse, Func<string, string?> environment)
    {
        var info = ApiInfo.FromVariables(environment, ApiInfo.WorkerEnvironmentVariable) ?? FromRepo(new WorkerRepo(WorkerRepo.Resolve(parse.GetValue(WorkerCli.WorkerRepo), environment)));
        return RpcClient.Create(info.HttpUrl(), new RpcClientOptions { Token = info.Token }).CreateProxy<IWorkerApi>();
    }

    private static ApiInfo FromRepo(WorkerRepo repo) =>
        repo.ReadApi() is { } api
            ? new ApiInfo(repo.ReadToken(), api + "/http")
            : throw new ArgumentException($"no running worker: {repo.ApiFile} does not exist (is kiln-worker run started with this repo?)");
}
