using Kiln.Api.Types;

namespace Kiln.Testing;

/// <summary>One call the miner made on a <see cref="ScriptedWorker"/>: the task, the sector and the CallID the worker answered with.</summary>
public sealed record WorkerCall(TaskType Task, SectorRef Sector, CallId Call);
