//! SQLite conversions for the domain's typed ids and units.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, EndpointId};

impl ToSql for ModelId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for ModelId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        ModelId::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("bad model id `{text}`").into()))
    }
}

impl ToSql for ProjectId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for ProjectId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        ProjectId::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("bad project id `{text}`").into()))
    }
}

impl ToSql for AgentId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for AgentId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        AgentId::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("bad agent id `{text}`").into()))
    }
}

impl ToSql for EndpointId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for EndpointId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        EndpointId::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("bad endpoint id `{text}`").into()))
    }
}
